// A decoder session with an explicit KV cache: loads a generated or user-supplied Optimum-layout ONNX decoder, checks
// its inputs/outputs, and runs chunked prefill. Runs inside the worker thread (session.run blocks its thread).
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { disableOrtTelemetry } from './defaults';
import { halfArrayToFloat } from './fp16';
import { DecoderError, type ModelDescription } from './types';

export interface KvCache {
  /** Tokens held. */
  length: number;
  /** present/past tensors, [key0, value0, key1, value1, …], each [1, kvHeads, length, headDim]. */
  tensors: ort.Tensor[];
}

export interface ForwardResult {
  cache: KvCache;
  /** Logits of the last position fed. */
  lastLogits: Float32Array;
}

export interface OpenOptions {
  threads: number;
  /** Preset name for generated models (else the path is the name). */
  presetName?: string;
  extra?: Partial<ModelDescription>;
}

type Meta = ort.InferenceSession.ValueMetadata;

export class CachedDecoder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly info: ModelDescription,
    readonly threads: number,
  ) {}

  static async open(modelPath: string, opts: OpenOptions): Promise<CachedDecoder> {
    // Effective when running on the main thread (tests, bench); in the worker, DecoderClient has set it already.
    disableOrtTelemetry();
    checkModelFile(modelPath);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, sessionOptions(opts.threads));
    } catch (e) {
      const what = looksLikeOnnx(modelPath) ? 'a corrupt or truncated ONNX model (or its .onnx.data is missing or short)' : 'not an ONNX model';
      throw new DecoderError('MODEL_INVALID', `Could not load ${modelPath}: ${what}. ONNX Runtime said: ${firstLine(e)}`);
    }
    let info: ModelDescription;
    try {
      info = describe(session, opts.presetName ?? modelPath, opts.presetName ? 'preset' : 'user');
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
    const dec = new CachedDecoder(session, { ...info, ...opts.extra }, opts.threads);
    if (dec.info.vocab <= 0) {
      // Vocabulary not declared in the logits shape: one probe token reveals it.
      const probe = await dec.forwardRaw(new BigInt64Array([0n]), dec.emptyCache());
      dec.info.vocab = probe.vocab;
    }
    return dec;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  emptyCache(): KvCache {
    const { layers, kvHeads, headDim, kvDtype } = this.info;
    const tensors: ort.Tensor[] = [];
    for (let i = 0; i < 2 * layers; i++) {
      tensors.push(
        kvDtype === 'float16'
          ? new ort.Tensor('float16', new Uint16Array(0), [1, kvHeads, 0, headDim])
          : new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]),
      );
    }
    return { length: 0, tensors };
  }

  /** Maps ids onto the model's vocabulary (id % vocab); `mapped` says whether any id needed it. */
  toModelIds(ids: ArrayLike<number>, start = 0, end = ids.length): { ids: BigInt64Array; mapped: boolean } {
    const vocab = this.info.vocab;
    const out = new BigInt64Array(end - start);
    let mapped = false;
    for (let i = start; i < end; i++) {
      let id = ids[i];
      if (id >= vocab || id < 0) {
        id = ((id % vocab) + vocab) % vocab;
        mapped = true;
      }
      out[i - start] = BigInt(id);
    }
    return { ids: out, mapped };
  }

  /**
   * Feeds `ids` (already mapped) after the cached tokens in chunks of `chunkSize`. Before each chunk it yields to the
   * event loop (so the worker can receive a cancel message) and checks `shouldStop`: session.run itself cannot be
   * interrupted, and terminating a worker inside it aborts the whole process, so cancellation is cooperative.
   */
  async prefill(
    ids: BigInt64Array, cache: KvCache, chunkSize: number, onChunk?: (done: number) => void, shouldStop?: () => boolean, positionOffset = 0,
  ): Promise<ForwardResult> {
    if (ids.length === 0) throw new DecoderError('BAD_REQUEST', 'prefill needs at least one token');
    let current = cache;
    let logits: Float32Array = new Float32Array(0);
    for (let start = 0; start < ids.length; start += chunkSize) {
      if (shouldStop) {
        await new Promise<void>((res) => setImmediate(res));
        if (shouldStop()) throw new DecoderError('CANCELLED', 'The measurement was cancelled');
      }
      const r = await this.forwardRaw(ids.subarray(start, Math.min(ids.length, start + chunkSize)), current, positionOffset);
      current = r.cache;
      logits = r.lastLogits;
      onChunk?.(Math.min(ids.length, start + chunkSize));
    }
    return { cache: current, lastLogits: logits };
  }

  /**
   * One session.run over `ids` with `cache` as past; position ids continue from the cached length (+ positionOffset
   * when the cache holds a window that starts later in the prompt; models without position_ids ignore it).
   */
  async forwardRaw(ids: BigInt64Array, cache: KvCache, positionOffset = 0): Promise<ForwardResult & { vocab: number }> {
    const { layers, hasPositionIds, mergedUseCacheBranch } = this.info;
    const past = cache.length;
    const s = ids.length;
    const offset = hasPositionIds ? positionOffset : 0;
    if (this.info.maxPositions !== undefined && offset + past + s > this.info.maxPositions) {
      throw new DecoderError('BAD_REQUEST', `${offset + past + s} tokens exceed the model's ${this.info.maxPositions} positions`);
    }
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [1, s]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(past + s).fill(1n), [1, past + s]),
    };
    if (hasPositionIds) {
      // Positions must continue from the cached length: restarting at 0 silently changes the result.
      const pos = new BigInt64Array(s);
      for (let i = 0; i < s; i++) pos[i] = BigInt(offset + past + i);
      feeds.position_ids = new ort.Tensor('int64', pos, [1, s]);
    }
    for (let l = 0; l < layers; l++) {
      feeds[`past_key_values.${l}.key`] = cache.tensors[2 * l];
      feeds[`past_key_values.${l}.value`] = cache.tensors[2 * l + 1];
    }
    if (mergedUseCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([past > 0 ? 1 : 0]), [1]);
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.session.run(feeds);
    } catch (e) {
      throw new DecoderError('MODEL_INVALID', `The model failed to run: ${firstLine(e)}`);
    }
    const tensors: ort.Tensor[] = [];
    for (let l = 0; l < layers; l++) tensors.push(out[`present.${l}.key`], out[`present.${l}.value`]);
    const total = tensors[0].dims[2];
    if (total !== past + s) {
      throw new DecoderError('MODEL_IO', `present.0.key holds ${total} positions after feeding ${s} on ${past}: the model does not append to the KV cache`);
    }
    const logitsT = out.logits;
    const vocab = logitsT.dims[logitsT.dims.length - 1];
    const data = logitsT.type === 'float16' ? halfArrayToFloat(logitsT.data as Uint16Array) : (logitsT.data as Float32Array);
    const lastLogits = data.slice(data.length - vocab);
    // Drop references to everything else (e.g. full logits of user models) right away.
    return { cache: { length: past + s, tensors }, lastLogits, vocab };
  }
}

/** Float32 copy of one cache tensor (float16 converted). */
export function kvAsFloat(t: ort.Tensor): Float32Array {
  return t.type === 'float16' ? halfArrayToFloat(t.data as Uint16Array) : (t.data as Float32Array);
}

export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Spinning threads burn the other core while waiting; measured to help on 2-vCPU machines.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 300);
}

/** Rejects missing, empty or obviously non-ONNX files before ORT sees them (clear message, no native crash). */
function checkModelFile(modelPath: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(modelPath);
  } catch {
    throw new DecoderError('MODEL_NOT_FOUND', `Model file not found: ${modelPath}`);
  }
  if (!st.isFile()) throw new DecoderError('MODEL_NOT_FOUND', `Not a file: ${modelPath}`);
  if (st.size < 16) throw new DecoderError('MODEL_INVALID', `${modelPath} is empty or truncated (${st.size} bytes): not an ONNX model`);
}

/** Every exporter writes ModelProto field 1 (ir_version, tag 0x08) first: a different first byte means "not ONNX". */
function looksLikeOnnx(modelPath: string): boolean {
  try {
    const fd = fs.openSync(modelPath, 'r');
    try {
      const head = Buffer.alloc(1);
      fs.readSync(fd, head, 0, 1, 0);
      return head[0] === 0x08;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

function tensorMeta(list: readonly Meta[], name: string): Extract<Meta, { isTensor: true }> | undefined {
  const m = list.find((x) => x.name === name);
  return m && m.isTensor ? m : undefined;
}

/** Reads layers, KV heads, head size, KV dtype and vocabulary from the session's I/O metadata. */
export function describe(session: ort.InferenceSession, name: string, kind: 'preset' | 'user'): ModelDescription {
  const ins = session.inputMetadata;
  const outs = session.outputMetadata;
  const missing = (what: string, n: string) =>
    new DecoderError('MODEL_IO', `${name} is not a decoder with a KV cache in the Hugging Face Optimum layout: missing ${what} '${n}'`);
  for (const n of ['input_ids', 'attention_mask']) {
    if (!ins.some((x) => x.name === n)) throw missing('input', n);
  }
  for (const n of ['past_key_values.0.key', 'past_key_values.0.value']) {
    if (!ins.some((x) => x.name === n)) {
      // The usual cause: decoder_model.onnx without past, or an export without "-with-past".
      throw new DecoderError('MODEL_IO', `${name} has no KV-cache inputs: missing input '${n}' (export with --task text-generation-with-past, or use decoder_model_merged.onnx / decoder_with_past_model.onnx)`);
    }
  }
  for (const n of ['logits', 'present.0.key', 'present.0.value']) {
    if (!outs.some((x) => x.name === n)) throw missing('output', n);
  }
  let layers = 0;
  while (ins.some((x) => x.name === `past_key_values.${layers}.key`)) layers++;
  for (let l = 0; l < layers; l++) {
    for (const kv of ['key', 'value']) {
      if (!ins.some((x) => x.name === `past_key_values.${l}.${kv}`)) throw missing('input', `past_key_values.${l}.${kv}`);
      if (!outs.some((x) => x.name === `present.${l}.${kv}`)) throw missing('output', `present.${l}.${kv}`);
    }
  }
  const allowed = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch']);
  for (const x of ins) {
    if (!allowed.has(x.name) && !/^past_key_values\.\d+\.(key|value)$/.test(x.name)) {
      throw new DecoderError('MODEL_IO', `${name} has an input this runner does not know how to feed: '${x.name}'`);
    }
  }
  const k0 = tensorMeta(ins, 'past_key_values.0.key');
  if (!k0) throw missing('tensor input', 'past_key_values.0.key');
  if (k0.type !== 'float32' && k0.type !== 'float16') {
    throw new DecoderError('MODEL_IO', `${name}: past_key_values.0.key is ${k0.type}; only float32 and float16 KV caches are supported`);
  }
  const [, kvHeads, , headDim] = k0.shape;
  if (k0.shape.length !== 4 || typeof kvHeads !== 'number' || typeof headDim !== 'number') {
    throw new DecoderError('MODEL_IO', `${name}: past_key_values.0.key must be [batch, kv_heads, past, head_dim] with fixed kv_heads and head_dim (got [${k0.shape.join(', ')}])`);
  }
  const logits = tensorMeta(outs, 'logits');
  const vDim = logits?.shape[logits.shape.length - 1];
  return {
    name,
    kind,
    layers,
    kvHeads,
    headDim,
    vocab: typeof vDim === 'number' ? vDim : 0,
    kvDtype: k0.type,
    hasPositionIds: ins.some((x) => x.name === 'position_ids'),
    mergedUseCacheBranch: ins.some((x) => x.name === 'use_cache_branch'),
  };
}
