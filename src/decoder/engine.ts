// Cold vs warm timing and KV drift on an open CachedDecoder. Runs in the worker; also usable in-process by tests.
import * as fs from 'node:fs';
import { DEFAULT_CHUNK, DEFAULT_DRIFT_CAP, DEFAULT_PRESET, DEFAULT_TOKEN_CAP, MIN_RUNS, defaultThreads } from './defaults';
import { ensureModel, ModelWriteDeclined } from './generator';
import { estimateGpu } from './gpuEstimate';
import { PRESETS, isPresetName, parameterCount } from './presets';
import { CachedDecoder, kvAsFloat } from './runner';
import {
  DecoderError,
  type KvDrift,
  type KvDriftLayer,
  type KvDriftRequest,
  type MeasureProgress,
  type MeasureRequest,
  type Measurement,
  type ModelSource,
  type TimingStats,
} from './types';

export { DEFAULT_CHUNK, DEFAULT_DRIFT_CAP, DEFAULT_PRESET, DEFAULT_TOKEN_CAP, MIN_RUNS, defaultThreads };

export interface EngineHooks {
  onProgress?: (p: MeasureProgress) => void;
  onConfirmLargeWrite?: (bytes: number) => boolean | Promise<boolean>;
  /** Polled between prefill chunks: true stops the work with a CANCELLED error. */
  shouldStop?: () => boolean;
}

/** Open sessions by model path and thread count: a second measurement on the same model skips the load. */
export class DecoderPool {
  private readonly open = new Map<string, Promise<{ dec: CachedDecoder; generated: boolean }>>();

  async get(src: ModelSource & { cacheDir: string; threads?: number }, hooks: EngineHooks): Promise<{ dec: CachedDecoder; generated: boolean }> {
    const threads = src.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new DecoderError('BAD_REQUEST', `threads must be a positive integer (got ${threads})`);
    // A user's file can be replaced in place: its size and mtime are part of the key.
    const key = `${src.modelPath ? `${src.modelPath}@${fileStamp(src.modelPath)}` : `preset:${src.preset ?? DEFAULT_PRESET}@${src.cacheDir}`}#${threads}`;
    let entry = this.open.get(key);
    if (!entry) {
      entry = this.load(src, threads, hooks);
      this.open.set(key, entry);
      entry.catch(() => this.open.delete(key)); // a failed load is retried next time
    }
    return entry;
  }

  private async load(src: ModelSource & { cacheDir: string }, threads: number, hooks: EngineHooks) {
    if (src.modelPath) {
      hooks.onProgress?.({ phase: 'loading' });
      return { dec: await CachedDecoder.open(src.modelPath, { threads }), generated: false };
    }
    const preset = src.preset ?? DEFAULT_PRESET;
    if (!isPresetName(preset)) throw new DecoderError('BAD_REQUEST', `Unknown preset '${String(preset)}'`);
    if (!src.cacheDir) throw new DecoderError('BAD_REQUEST', 'cacheDir is required for generated models');
    hooks.onProgress?.({ phase: 'generating' });
    let gen;
    try {
      gen = await ensureModel({ preset, cacheDir: src.cacheDir, onConfirmLargeWrite: hooks.onConfirmLargeWrite });
    } catch (e) {
      if (e instanceof ModelWriteDeclined) throw new DecoderError('WRITE_DECLINED', e.message);
      throw new DecoderError('INTERNAL', `Could not write the ${preset} model to ${src.cacheDir}: ${e instanceof Error ? e.message : String(e)}`);
    }
    hooks.onProgress?.({ phase: 'loading' });
    const shape = PRESETS[preset];
    const dec = await CachedDecoder.open(gen.modelPath, {
      threads,
      presetName: preset,
      extra: { parameters: parameterCount(shape), heads: shape.heads, hidden: shape.hidden, maxPositions: shape.maxPositions },
    });
    return { dec, generated: gen.written };
  }

  async dispose(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((p) => p.then(({ dec }) => dec.release()).catch(() => undefined)));
  }
}

function fileStamp(p: string): string {
  try {
    const st = fs.statSync(p);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function stats(runs: number[], tokens: number): TimingStats {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    minMs: sorted[0],
    medianMs: median,
    maxMs: sorted[sorted.length - 1],
    runsMs: runs,
    tokensPerSecond: median > 0 ? (tokens * 1000) / median : 0,
  };
}

function checkIds(ids: ArrayLike<number>, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!Number.isInteger(v) || v < 0) throw new DecoderError('BAD_REQUEST', `${what}[${i}] is not a non-negative integer token id`);
  }
}

export async function runMeasure(pool: DecoderPool, req: MeasureRequest, hooks: EngineHooks = {}): Promise<Measurement> {
  const t0 = performance.now();
  const runs = Math.max(MIN_RUNS, Math.floor(req.runs ?? MIN_RUNS));
  const chunkSize = Math.max(1, Math.floor(req.chunkSize ?? DEFAULT_CHUNK));
  const cap = Math.floor(req.tokenCap ?? DEFAULT_TOKEN_CAP);
  if (!(cap >= 2)) throw new DecoderError('BAD_REQUEST', 'tokenCap must be at least 2');
  checkIds(req.ids, 'ids');
  const requested = req.ids.length;
  if (requested === 0) throw new DecoderError('BAD_REQUEST', 'The new version has no tokens to measure');
  const requestedPrefix = Math.min(Math.max(0, Math.floor(req.reusablePrefix)), requested);
  const { dec, generated } = await pool.get(req, hooks);
  const notes: string[] = [];

  // Long prompts are scaled down to the cap keeping the reusable fraction (memory and time stay bounded).
  let n = requested;
  let p = requestedPrefix;
  const limit = Math.min(cap, dec.info.maxPositions ?? Infinity);
  if (n > limit) {
    n = limit;
    p = Math.round((requestedPrefix * limit) / requested);
    notes.push(`Prompt of ${requested} tokens measured as its first ${n} tokens with ${p} reusable (same fraction as ${requestedPrefix}); raise the token cap to measure it whole.`);
  }
  // Something must be computed to produce the next token: an unchanged prompt still recomputes its last token.
  if (p >= n) {
    p = n - 1;
    notes.push('Identical prompts: a request still computes at least the last token, so 1 token is recomputed.');
  }
  const { ids, mapped } = dec.toModelIds(req.ids, 0, n);
  if (mapped) notes.push(`Token ids ≥ the model's vocabulary (${dec.info.vocab}) were mapped to id % ${dec.info.vocab}; timing depends on the count, not the ids.`);

  const progress = (phase: MeasureProgress['phase'], run?: number) => (done: number) =>
    hooks.onProgress?.({ phase, run, runs: run === undefined ? undefined : runs, done, total: phase === 'cold' || phase === 'warmup' ? n : phase === 'prefix' ? p : n - p });
  const stop = hooks.shouldStop ?? (() => false);

  // Warm-up: one untimed cold prefill (first-run allocations, kernel selection).
  await dec.prefill(ids, dec.emptyCache(), chunkSize, progress('warmup'), stop);
  const coldRuns: number[] = [];
  for (let r = 1; r <= runs; r++) {
    const s = performance.now();
    await dec.prefill(ids, dec.emptyCache(), chunkSize, progress('cold', r), stop);
    coldRuns.push(performance.now() - s);
  }
  // Warm: the reusable prefix is prefilled once, untimed; each timed run continues from that same cache.
  const prefixCache = p > 0 ? (await dec.prefill(ids.subarray(0, p), dec.emptyCache(), chunkSize, progress('prefix'), stop)).cache : dec.emptyCache();
  const rest = ids.subarray(p);
  await dec.prefill(rest, prefixCache, chunkSize, undefined, stop); // untimed warm-up of the continuation shape
  const warmRuns: number[] = [];
  for (let r = 1; r <= runs; r++) {
    const s = performance.now();
    await dec.prefill(rest, prefixCache, chunkSize, progress('warm', r), stop);
    warmRuns.push(performance.now() - s);
  }
  const cold = stats(coldRuns, n);
  const warm = stats(warmRuns, n - p);
  return {
    model: { ...dec.info },
    tokens: n,
    reusablePrefix: p,
    recomputedTokens: n - p,
    scaledFrom: n !== requested ? { tokens: requested, reusablePrefix: requestedPrefix } : undefined,
    cold,
    warm,
    savedMs: cold.medianMs - warm.medianMs,
    speedup: warm.medianMs > 0 ? cold.medianMs / warm.medianMs : 0,
    threads: dec.threads,
    runs,
    chunkSize,
    vocabMapped: mapped,
    notes,
    gpuEstimate: estimateGpu(requested, Math.min(requestedPrefix, requested)),
    elapsedMs: performance.now() - t0,
    modelGenerated: generated,
  };
}

export async function runKvDrift(pool: DecoderPool, req: KvDriftRequest, hooks: EngineHooks = {}): Promise<KvDrift> {
  checkIds(req.oldIds, 'oldIds');
  checkIds(req.newIds, 'newIds');
  const chunkSize = Math.max(1, Math.floor(req.chunkSize ?? DEFAULT_CHUNK));
  const { dec } = await pool.get(req, hooks);
  const cap = Math.min(Math.floor(req.tokenCap ?? DEFAULT_DRIFT_CAP), dec.info.maxPositions ?? Infinity);
  const d = Math.floor(req.divergenceIndex);
  const notes: string[] = [];
  const lenOld = Math.min(req.oldIds.length, cap);
  const lenNew = Math.min(req.newIds.length, cap);
  if (req.oldIds.length > cap || req.newIds.length > cap) notes.push(`Compared the first ${cap} tokens of each version (token cap).`);
  if (!(d >= 0) || d > Math.min(lenOld, lenNew)) {
    throw new DecoderError('BAD_REQUEST', `divergenceIndex ${req.divergenceIndex} is outside both versions (0…${Math.min(lenOld, lenNew)})`);
  }
  const positions = Math.min(lenOld, lenNew) - d;
  const a = dec.toModelIds(req.oldIds, 0, lenOld);
  const b = dec.toModelIds(req.newIds, 0, lenNew);
  const vocabMapped = a.mapped || b.mapped;
  if (vocabMapped) notes.push(`Token ids ≥ the model's vocabulary (${dec.info.vocab}) were mapped to id % ${dec.info.vocab}.`);
  const layers: KvDriftLayer[] = [];
  const sameToken: boolean[] = [];
  for (let i = 0; i < positions; i++) sameToken.push(a.ids[d + i] === b.ids[d + i]);
  if (positions > 0) {
    hooks.onProgress?.({ phase: 'drift', done: 0, total: lenOld + lenNew });
    const stop = hooks.shouldStop ?? (() => false);
    const ka = (await dec.prefill(a.ids, dec.emptyCache(), chunkSize, undefined, stop)).cache;
    hooks.onProgress?.({ phase: 'drift', done: lenOld, total: lenOld + lenNew });
    const kb = (await dec.prefill(b.ids, dec.emptyCache(), chunkSize, undefined, stop)).cache;
    const { layers: L, kvHeads, headDim } = dec.info;
    for (let l = 0; l < L; l++) {
      const rel = (t: number) => relativeByPosition(kvAsFloat(ka.tensors[2 * l + t]), lenOld, kvAsFloat(kb.tensors[2 * l + t]), lenNew, kvHeads, headDim, d, positions);
      const key = rel(0);
      const value = rel(1);
      layers.push({ layer: l, key, value, maxKey: Math.max(0, ...key), maxValue: Math.max(0, ...value) });
    }
  }
  return { model: { ...dec.info }, divergenceIndex: d, positions, sameToken, layers, vocabMapped, notes };
}

/** ‖new − old‖ / ‖old‖ per position over all KV heads, for tensors [1, kvHeads, len, headDim]. */
function relativeByPosition(
  oldT: Float32Array, lenOld: number, newT: Float32Array, lenNew: number, kvHeads: number, headDim: number, from: number, count: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    let diff = 0;
    let norm = 0;
    for (let h = 0; h < kvHeads; h++) {
      const oa = (h * lenOld + from + i) * headDim;
      const ob = (h * lenNew + from + i) * headDim;
      for (let j = 0; j < headDim; j++) {
        const x = oldT[oa + j];
        const dx = newT[ob + j] - x;
        diff += dx * dx;
        norm += x * x;
      }
    }
    out.push(norm > 0 ? Math.sqrt(diff / norm) : diff > 0 ? Infinity : 0);
  }
  return out;
}
