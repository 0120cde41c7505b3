// "What this edit costs a provider's GPU": a monotone cost model fitted to prefill times measured on an H100
// (data/prefill-h100.json). Raw points are not interpolated: below ~1k tokens they are launch-overhead bound and noisy
// (recomputing 64 tokens after a cached 4,032 read 46 ms, 256 tokens after 7,936 read 28 ms), so neighbouring points
// disagree. The model: time(n new tokens on p cached) = max(F, a·n + b·n·(p + n/2) + e·p), with F the launch floor,
// a the per-token cost of the weights, b the per-token-pair cost of causal attention, e a per-cached-token cost (eager
// SDPA reads the cache and a mask over it in every layer); a, b, e ≥ 0, so the estimate grows with the recomputed
// tokens and with the cached length they attend over. Fitted per model on log error over all points.
import h100 from './data/prefill-h100.json';
import type { GpuEstimate, GpuEstimateRow } from './types';

interface WarmPoint { cached_prefix: number; new_tokens: number; warm_ms: number }
interface Point { tokens: number; cold_prefill_ms: number; warm: WarmPoint[] }
interface ModelData { layers: number; points: Point[] }
export interface PrefillData {
  device: string;
  dtype: string;
  method: string;
  measured: string;
  software?: string;
  models: Record<string, ModelData>;
}

/** One measured prefill: n new tokens on p cached, t ms. */
export interface Sample { n: number; p: number; ms: number }

export interface CostFit {
  /** Launch floor, ms. */
  floorMs: number;
  /** ms per new token (weights). */
  perToken: number;
  /** ms per (new token × context token) (causal attention). */
  perPair: number;
  /** ms per cached token (reading the cache and building the mask over it, whatever the number of new tokens). */
  perCached: number;
  /** Root-mean-square of log(predicted / measured) over the samples. */
  rmsLogError: number;
  samples: number;
  /** Largest total length measured. */
  maxTokens: number;
}

type Coefs = Pick<CostFit, 'floorMs' | 'perToken' | 'perPair' | 'perCached'>;

function computeMs(f: Coefs, n: number, p: number): number {
  return f.perToken * n + f.perPair * n * (p + n / 2) + f.perCached * p;
}

export function predictMs(f: Coefs, n: number, p: number): number {
  if (n <= 0) return 0;
  return Math.max(f.floorMs, computeMs(f, n, p));
}

/** Solves the small linear system A·x = y (Gaussian elimination with partial pivoting); null if singular. */
function solve(a: number[][], y: number[]): number[] | null {
  const k = y.length;
  const m = a.map((row, i) => [...row, y[i]]);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    if (Math.abs(m[piv][c]) < 1e-300) return null;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= k; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[k] / row[i]);
}

/** Non-negative weighted least squares y ≈ X·β by trying every subset of columns (3 columns: 7 subsets). */
function nnls(x: number[][], y: number[], w: number[]): number[] {
  const cols = x[0]?.length ?? 0;
  let best: { beta: number[]; err: number } | undefined;
  for (let mask = 1; mask < 1 << cols; mask++) {
    const use = Array.from({ length: cols }, (_, j) => j).filter((j) => mask & (1 << j));
    const a = use.map((j) => use.map((l) => x.reduce((s, row, i) => s + w[i] * row[j] * row[l], 0)));
    const b = use.map((j) => x.reduce((s, row, i) => s + w[i] * row[j] * y[i], 0));
    const sol = solve(a, b);
    if (!sol || sol.some((v) => v < 0)) continue;
    const beta = new Array<number>(cols).fill(0);
    use.forEach((j, k) => { beta[j] = sol[k]; });
    const err = x.reduce((s, row, i) => s + w[i] * (row.reduce((t, v, j) => t + v * beta[j], 0) - y[i]) ** 2, 0);
    if (!best || err < best.err) best = { beta, err };
  }
  return best?.beta ?? new Array<number>(cols).fill(0);
}

/**
 * Fits max(F, a·n + b·n·(p + n/2) + e·p). For each candidate floor (0 and each measured time) the compute terms are
 * fitted by relative least squares on the samples above that floor; the candidate with the smallest log error over
 * all samples wins. All coefficients are ≥ 0, so the result is monotone in n and in p.
 */
export function fitCost(samples: readonly Sample[]): CostFit {
  const rows = samples.map((s) => [s.n, s.n * (s.p + s.n / 2), s.p]);
  const candidates = [0, ...samples.map((s) => s.ms)].sort((a, b) => a - b);
  let best: CostFit | undefined;
  for (const floorMs of candidates) {
    const above = samples.map((_, i) => i).filter((i) => samples[i].ms > floorMs * 1.05);
    if (above.length < 3) continue;
    const [perToken, perPair, perCached] = nnls(above.map((i) => rows[i]), above.map((i) => samples[i].ms), above.map((i) => 1 / samples[i].ms ** 2));
    const f = { floorMs, perToken, perPair, perCached };
    const rms = Math.sqrt(samples.reduce((a, s) => a + Math.log(predictMs(f, s.n, s.p) / s.ms) ** 2, 0) / samples.length);
    if (!best || rms < best.rmsLogError) best = { ...f, rmsLogError: rms, samples: samples.length, maxTokens: 0 };
  }
  const fit = best ?? { floorMs: 0, perToken: 0, perPair: 0, perCached: 0, rmsLogError: NaN, samples: samples.length, maxTokens: 0 };
  fit.maxTokens = Math.max(0, ...samples.map((s) => s.n + s.p));
  return fit;
}

export function samplesOf(model: ModelData): Sample[] {
  const out: Sample[] = [];
  for (const pt of model.points) {
    out.push({ n: pt.tokens, p: 0, ms: pt.cold_prefill_ms });
    for (const w of pt.warm) out.push({ n: w.new_tokens, p: w.cached_prefix, ms: w.warm_ms });
  }
  return out;
}

/** "llama-3.1-70b/8-of-80-layers" measures 8 of 80 layers: the whole model is ×10 (as its method says). */
function layerFactor(key: string): { name: string; factor: number } {
  const m = /^(.*)\/(\d+)-of-(\d+)-layers$/.exec(key);
  if (!m) return { name: key, factor: 1 };
  return { name: m[1], factor: Number(m[3]) / Number(m[2]) };
}

const fits = new WeakMap<PrefillData, Map<string, CostFit>>();
export function fitsFor(data: PrefillData): Map<string, CostFit> {
  let m = fits.get(data);
  if (!m) {
    m = new Map(Object.entries(data.models).map(([k, model]) => [k, fitCost(samplesOf(model))]));
    fits.set(data, m);
  }
  return m;
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);

export function estimateGpu(tokens: number, reusablePrefix: number, data: PrefillData = h100 as PrefillData): GpuEstimate {
  const n = Math.max(0, tokens);
  const p = Math.min(Math.max(0, reusablePrefix), n);
  const fresh = n - p;
  const rows: GpuEstimateRow[] = [];
  const fitted = fitsFor(data);
  for (const key of Object.keys(data.models)) {
    const { name, factor } = layerFactor(key);
    const f = fitted.get(key) as CostFit;
    const coldMs = predictMs(f, n, 0) * factor;
    const warmMs = predictMs(f, fresh, p) * factor;
    rows.push({
      model: factor === 1 ? name : `${name} (×${factor} from ${key.split('/')[1]})`,
      coldMs,
      warmMs,
      savedMs: coldMs - warmMs,
      extrapolated: n > f.maxTokens,
      // The cold run itself is within 50% of the floor: both runs cost about the fixed overhead.
      floorBound: computeMs(f, n, 0) < 1.5 * f.floorMs,
    });
  }
  const floors = [...fitted.entries()].map(([k, f]) => `${layerFactor(k).name} ${ms(f.floorMs * layerFactor(k).factor)}`).join(', ');
  const ref = rows.find((r) => /8b/i.test(r.model)) ?? rows[0];
  return {
    rows,
    source: `${data.device}, ${data.dtype}, measured ${data.measured}`,
    device: data.device,
    measured: data.measured,
    method: data.method,
    model:
      'max(launch floor, a·new + b·new·(cached + new/2) + e·cached) fitted per model to every measured cold and cached prefill (relative least squares, a, b, e ≥ 0): ' +
      `monotone in the recomputed tokens and in the cached length; fitted floors ${floors}`,
    regime: `eager PyTorch (no CUDA graphs), ${data.dtype}, ${data.device.replace(/^NVIDIA /, '')}, batch 1; a ~20–40 ms launch floor below ~1k tokens`,
    verdict: ref ? gpuVerdict(ref, n, fresh) : 'No GPU data.',
  };
}

/** One sentence: does caching pay on a GPU for this edit? True at small sizes too (the floor dominates there). */
export function gpuVerdict(r: GpuEstimateRow, tokens: number, recomputed: number): string {
  if (recomputed >= tokens) return `Nothing is reused, so on a GPU the cache saves nothing here (${r.model}: ${ms(r.coldMs)} either way).`;
  if (r.floorBound || r.savedMs < 0.1 * r.coldMs) {
    return `On a GPU this prompt is short enough that both runs cost about the fixed launch overhead (${r.model}: ${ms(r.coldMs)} cold, ${ms(r.warmMs)} cached), so caching saves little time; it still saves the provider's compute and the discounted input price.`;
  }
  return `On a GPU caching pays: ${r.model} recomputes ${recomputed.toLocaleString('en-US')} tokens in ~${ms(r.warmMs)} instead of ${ms(r.coldMs)} for the whole prompt (${(r.coldMs / Math.max(r.warmMs, 1e-9)).toFixed(1)}×).`;
}
