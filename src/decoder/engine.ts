// Cold vs warm timing and KV drift on an open CachedDecoder. Runs in the worker; also usable in-process by tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { loadAverage1m, timed } from './cpuLoad';
import { DEFAULT_CHUNK, DEFAULT_DRIFT_CAP, DEFAULT_PRESET, DEFAULT_TOKEN_CAP, MIN_RUNS, defaultThreads } from './defaults';
import { ensureModel, ModelWriteDeclined } from './generator';
import { DEFAULT_VARIANT } from './graph';
import { estimateGpu } from './gpuEstimate';
import { alignedOldIndex, alignVersions, chooseWindow, ropeShift } from './kvAlign';
import { PRESET_INFO, PRESETS, expectedSpeedup, isPresetName, parameterCount, prefillFlops } from './presets';
import { CachedDecoder, kvAsFloat } from './runner';
import { DEFAULT_PLAN, loadVerdict, roundOrder, stopReason, summarize, type RunCounters, type SamplingPlan, type StopReason } from './timing';
import {
  DecoderError,
  type KvDrift,
  type KvDriftLayer,
  type KvDriftRequest,
  type MeasureProgress,
  type MeasureRequest,
  type Measurement,
  type ModelSource,
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
    const info = PRESET_INFO[preset];
    const dec = await CachedDecoder.open(gen.modelPath, {
      threads,
      presetName: preset,
      extra: {
        parameters: parameterCount(shape), heads: shape.heads, hidden: shape.hidden, maxPositions: shape.maxPositions, ffn: shape.ffn,
        ropeTheta: shape.ropeTheta, qkvBias: shape.qkvBias, tiedEmbeddings: shape.tiedEmbeddings, shapedLike: info.model,
        configUrl: info.configUrl, logits: DEFAULT_VARIANT.logits,
      },
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

function checkIds(ids: ArrayLike<number>, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!Number.isInteger(v) || v < 0) throw new DecoderError('BAD_REQUEST', `${what}[${i}] is not a non-negative integer token id`);
  }
}

function samplingPlan(req: MeasureRequest): SamplingPlan {
  const minRuns = Math.max(MIN_RUNS, Math.floor(req.runs ?? DEFAULT_PLAN.minRuns));
  const maxRuns = Math.max(minRuns, Math.floor(req.maxRuns ?? DEFAULT_PLAN.maxRuns));
  const targetSpread = req.targetSpread !== undefined && req.targetSpread >= 0 ? req.targetSpread : DEFAULT_PLAN.targetSpread;
  const timeCapMs = req.timeCapMs !== undefined && req.timeCapMs >= 0 ? req.timeCapMs : DEFAULT_PLAN.timeCapMs;
  return { minRuns, maxRuns, targetSpread, timeCapMs };
}

/** Reports a monotone overall fraction alongside each phase's own progress. */
function progressReporter(hooks: EngineHooks) {
  let last = 0;
  return (p: MeasureProgress, fraction: number) => {
    last = Math.max(last, Math.min(1, fraction));
    hooks.onProgress?.({ ...p, fraction: last });
  };
}

export async function runMeasure(pool: DecoderPool, req: MeasureRequest, hooks: EngineHooks = {}): Promise<Measurement> {
  const t0 = performance.now();
  const plan = samplingPlan(req);
  const chunkSize = Math.max(1, Math.floor(req.chunkSize ?? DEFAULT_CHUNK));
  const cap = Math.floor(req.tokenCap ?? DEFAULT_TOKEN_CAP);
  if (!(cap >= 2)) throw new DecoderError('BAD_REQUEST', 'tokenCap must be at least 2');
  checkIds(req.ids, 'ids');
  const requested = req.ids.length;
  if (requested === 0) throw new DecoderError('BAD_REQUEST', 'The new version has no tokens to measure');
  const requestedPrefix = Math.min(Math.max(0, Math.floor(req.reusablePrefix)), requested);
  const report = progressReporter(hooks);
  const { dec, generated } = await pool.get(req, { ...hooks, onProgress: (p) => report(p, 0.02) });
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
  const stop = hooks.shouldStop ?? (() => false);
  const totals: Record<MeasureProgress['phase'], number> = { generating: 0, loading: 0, drift: 0, warmup: n, cold: n, prefix: p, warm: n - p };

  // Untimed: one cold prefill (first-run allocations, kernel selection), the reusable prefix once (every warm run
  // continues from that same cache), one continuation of the warm shape.
  const warmupPhase = (phase: 'warmup' | 'prefix', from: number, to: number) => (done: number) =>
    report({ phase, done, total: totals[phase] }, from + ((to - from) * done) / Math.max(1, totals[phase]));
  await dec.prefill(ids, dec.emptyCache(), chunkSize, warmupPhase('warmup', 0.05, 0.2), stop);
  const prefixCache = p > 0 ? (await dec.prefill(ids.subarray(0, p), dec.emptyCache(), chunkSize, warmupPhase('prefix', 0.2, 0.3), stop)).cache : dec.emptyCache();
  const rest = ids.subarray(p);
  await dec.prefill(rest, prefixCache, chunkSize, undefined, stop);

  // Timed: rounds of one cold and one warm run in alternating order, until both spreads are small or a limit is hit.
  const coldRuns: number[] = [];
  const warmRuns: number[] = [];
  const counters: RunCounters[] = [];
  const loadBefore = loadAverage1m();
  let timedMs = 0;
  let reason: StopReason | undefined;
  for (let round = 1; reason === undefined; round++) {
    for (const phase of roundOrder(round)) {
      const fractionAt = (done: number) => {
        const byRuns = (coldRuns.length + warmRuns.length + done / Math.max(1, totals[phase])) / (2 * plan.minRuns);
        return 0.3 + 0.65 * Math.min(1, Math.max(byRuns, plan.timeCapMs > 0 ? timedMs / plan.timeCapMs : 0));
      };
      const onChunk = (done: number) => report({ phase, run: round, runs: plan.minRuns, done, total: totals[phase] }, fractionAt(done));
      const c = await timed(() => (phase === 'cold' ? dec.prefill(ids, dec.emptyCache(), chunkSize, onChunk, stop) : dec.prefill(rest, prefixCache, chunkSize, onChunk, stop)));
      (phase === 'cold' ? coldRuns : warmRuns).push(c.wallMs);
      counters.push(c);
      timedMs += c.wallMs;
    }
    reason = stopReason(coldRuns, warmRuns, timedMs, plan);
  }
  const load = loadVerdict(counters, { before: loadBefore, after: loadAverage1m(), cpus: os.cpus().length });
  if (load.underLoad) notes.push(`Measured under load: ${load.reason}; the times are inflated and noisier than on an idle machine.`);
  if (reason !== 'stable') {
    notes.push(`Sampling stopped at the ${reason === 'time cap' ? `time cap (${Math.round(plan.timeCapMs / 1000)} s of timed runs)` : `run limit (${plan.maxRuns} per phase)`} with a spread above ${Math.round(plan.targetSpread * 100)}%.`);
  }
  report({ phase: 'warm', run: coldRuns.length, runs: plan.minRuns, done: n - p, total: n - p }, 1);
  const cold = summarize(coldRuns, n);
  const warm = summarize(warmRuns, n - p);
  const shape = dec.info.kind === 'preset' && isPresetName(dec.info.name) ? PRESETS[dec.info.name] : undefined;
  const logits = dec.info.logits ?? 'all';
  const allowed = shape ? expectedSpeedup(shape, n, p, logits) : undefined;
  const measured = warm.medianMs > 0 ? cold.medianMs / warm.medianMs : 0;
  if (allowed !== undefined && measured > allowed * 1.02) {
    // Time per FLOP is not constant: small warm chunks can run closer to the MatMul peak than a long cold run whose
    // attention spans the whole prompt, and a busy machine can slow one phase more than the other.
    notes.push(`Measured ${measured.toFixed(1)}× exceeds the ${allowed.toFixed(1)}× the FLOP count allows: the cold runs did less work per second than the warm ones (attention over the whole prompt and larger activations run below the MatMul peak${load.underLoad ? ', and the machine was busy' : ''}).`);
  }
  return {
    model: { ...dec.info },
    tokens: n,
    reusablePrefix: p,
    recomputedTokens: n - p,
    scaledFrom: n !== requested ? { tokens: requested, reusablePrefix: requestedPrefix } : undefined,
    cold,
    warm,
    savedMs: cold.medianMs - warm.medianMs,
    speedup: measured,
    ...(shape && allowed !== undefined
      ? { expectedSpeedup: allowed, flops: { cold: prefillFlops(shape, 0, n, logits), warm: prefillFlops(shape, p, n - p, logits) } }
      : {}),
    threads: dec.threads,
    runs: coldRuns.length,
    stopReason: reason,
    sampling: plan,
    load,
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
  const report = progressReporter(hooks);
  const { dec } = await pool.get(req, { ...hooks, onProgress: (p) => report(p, 0.02) });
  const cap = Math.max(2, Math.min(Math.floor(req.tokenCap ?? DEFAULT_DRIFT_CAP), dec.info.maxPositions ?? Infinity));
  const d = Math.floor(req.divergenceIndex);
  const lenOld = req.oldIds.length;
  const lenNew = req.newIds.length;
  if (!(d >= 0) || d > Math.min(lenOld, lenNew)) {
    throw new DecoderError('BAD_REQUEST', `divergenceIndex ${req.divergenceIndex} is outside the versions (0…${Math.min(lenOld, lenNew)} tokens in common)`);
  }
  for (let i = 0; i < d; i++) {
    if (req.oldIds[i] !== req.newIds[i]) throw new DecoderError('BAD_REQUEST', `divergenceIndex ${d} is not the first divergent token: the versions differ at ${i}`);
  }
  const notes: string[] = [];
  const alignment = alignVersions(req.oldIds, req.newIds, d);
  const win = chooseWindow(lenOld, lenNew, alignment, cap);
  if (win.truncated) {
    notes.push(`Longer than the ${cap}-token cap: compared a window of tokens ${win.newStart}…${win.newEnd - 1} (new) and ${win.oldStart}…${win.oldEnd - 1} (old); the ${win.newStart} shared tokens before it are left out of the context.`);
  }
  const a = dec.toModelIds(req.oldIds, win.oldStart, win.oldEnd);
  const b = dec.toModelIds(req.newIds, win.newStart, win.newEnd);
  const vocabMapped = a.mapped || b.mapped;
  if (vocabMapped) notes.push(`Token ids ≥ the model's vocabulary (${dec.info.vocab}) were mapped to id % ${dec.info.vocab}.`);
  if (win.truncated && !dec.info.hasPositionIds) notes.push('This model takes no position_ids: the window is fed from position 0.');

  // Compared: new positions from the divergence to the window's end, each against its aligned old position.
  const positions = Math.max(0, win.newEnd - d);
  const aligned: (number | null)[] = [];
  for (let i = 0; i < positions; i++) {
    const o = alignedOldIndex(alignment, d + i);
    aligned.push(o !== null && o >= win.oldStart && o < win.oldEnd ? o : null);
  }
  if (alignment.shift !== 0) {
    notes.push(`Aligned by token identity: the ${alignment.commonSuffix} unchanged tokens after the edit sit ${Math.abs(alignment.shift)} position${Math.abs(alignment.shift) === 1 ? '' : 's'} ${alignment.shift > 0 ? 'later' : 'earlier'} in the new version and are compared with themselves.`);
  }
  const layers: KvDriftLayer[] = [];
  const stop = hooks.shouldStop ?? (() => false);
  if (positions > 0) {
    // The shared context before the divergence is prefilled once: both versions continue from the same cache.
    const shared = d - win.newStart;
    const fed = shared + (win.oldEnd - d) + (win.newEnd - d);
    const step = (base: number) => (done: number) => report({ phase: 'drift', done: base + done, total: fed }, 0.05 + (0.9 * (base + done)) / Math.max(1, fed));
    const prefix = shared > 0 ? (await dec.prefill(b.ids.subarray(0, shared), dec.emptyCache(), chunkSize, step(0), stop, win.newStart)).cache : dec.emptyCache();
    const ka = win.oldEnd > d ? (await dec.prefill(a.ids.subarray(shared), prefix, chunkSize, step(shared), stop, win.oldStart)).cache : prefix;
    const kb = (await dec.prefill(b.ids.subarray(shared), prefix, chunkSize, step(shared + win.oldEnd - d), stop, win.newStart)).cache;
    const { layers: L, kvHeads, headDim, ropeTheta } = dec.info;
    const cmp = { lenOld: win.oldEnd - win.oldStart, lenNew: win.newEnd - win.newStart, oldStart: win.oldStart, newStart: win.newStart, kvHeads, headDim, d, aligned };
    for (let l = 0; l < L; l++) {
      const oldK = kvAsFloat(ka.tensors[2 * l]);
      const newK = kvAsFloat(kb.tensors[2 * l]);
      const key = relativeAligned(oldK, newK, cmp);
      const value = relativeAligned(kvAsFloat(ka.tensors[2 * l + 1]), kvAsFloat(kb.tensors[2 * l + 1]), cmp);
      const keyUnshifted = ropeTheta !== undefined && alignment.shift !== 0 ? relativeAligned(oldK, newK, cmp, ropeTheta) : undefined;
      layers.push({ layer: l, key, ...(keyUnshifted ? { keyUnshifted } : {}), value, maxKey: finiteMax(keyUnshifted ?? key), maxValue: finiteMax(value) });
    }
    if (layers[0]?.keyUnshifted) notes.push('Keys after the edit moved by the position shift: their change is also shown with that RoPE rotation undone (keyUnshifted).');
  }
  report({ phase: 'drift', done: 1, total: 1 }, 1);
  return {
    model: { ...dec.info }, divergenceIndex: d, positions, aligned, sameToken: aligned.map((o) => o !== null), alignment, window: win, layers, vocabMapped, notes,
  };
}

function finiteMax(xs: number[]): number {
  let m = 0;
  for (const x of xs) if (Number.isFinite(x) && x > m) m = x;
  return m;
}

interface AlignedComparison {
  lenOld: number;
  lenNew: number;
  oldStart: number;
  newStart: number;
  kvHeads: number;
  headDim: number;
  d: number;
  aligned: (number | null)[];
}

/**
 * ‖new − old‖ / ‖old‖ per compared position over all KV heads, for tensors [1, kvHeads, len, headDim] of the windows,
 * each new position against its aligned old one (NaN where none). With `ropeTheta`, the old key is first rotated by
 * the position shift, so what remains is the change of content.
 */
function relativeAligned(oldT: Float32Array, newT: Float32Array, c: AlignedComparison, ropeTheta?: number): number[] {
  const out: number[] = [];
  const rotated = new Float64Array(c.headDim);
  for (let i = 0; i < c.aligned.length; i++) {
    const o = c.aligned[i];
    if (o === null) {
      out.push(NaN);
      continue;
    }
    const shift = c.d + i - o;
    let diff = 0;
    let norm = 0;
    for (let h = 0; h < c.kvHeads; h++) {
      const oa = (h * c.lenOld + (o - c.oldStart)) * c.headDim;
      const ob = (h * c.lenNew + (c.d + i - c.newStart)) * c.headDim;
      if (ropeTheta !== undefined && shift !== 0) ropeShift(oldT, oa, c.headDim, shift, ropeTheta, rotated);
      for (let j = 0; j < c.headDim; j++) {
        const x = ropeTheta !== undefined && shift !== 0 ? rotated[j] : oldT[oa + j];
        const dx = newT[ob + j] - x;
        diff += dx * dx;
        norm += x * x;
      }
    }
    out.push(norm > 0 ? Math.sqrt(diff / norm) : diff > 0 ? Infinity : 0);
  }
  return out;
}
