// "What this edit costs a provider's GPU": interpolates prefill times measured on an H100 (data/prefill-h100.json).
// The figures are data with a source, not constants: every estimate carries the device, date and method.
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

type Series = Array<[x: number, y: number]>;

/** Linear interpolation on sorted points; clamps outside the range (flagged by the caller). */
function interp(series: Series, x: number): number {
  if (series.length === 0) return NaN;
  if (x <= series[0][0]) return series[0][1];
  for (let i = 1; i < series.length; i++) {
    const [x1, y1] = series[i];
    if (x <= x1) {
      const [x0, y0] = series[i - 1];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  // Beyond the largest measurement: continue the last segment's slope (an underestimate: attention is quadratic).
  if (series.length === 1) return series[0][1];
  const [xa, ya] = series[series.length - 2];
  const [xb, yb] = series[series.length - 1];
  return yb + ((yb - ya) * (x - xb)) / (xb - xa);
}

/** "llama-3.1-70b/8-of-80-layers" measures 8 of 80 layers: the whole model is ×10 (as its method says). */
function layerFactor(key: string): { name: string; factor: number } {
  const m = /^(.*)\/(\d+)-of-(\d+)-layers$/.exec(key);
  if (!m) return { name: key, factor: 1 };
  return { name: m[1], factor: Number(m[3]) / Number(m[2]) };
}

export function estimateGpu(tokens: number, reusablePrefix: number, data: PrefillData = h100 as PrefillData): GpuEstimate {
  const n = Math.max(0, tokens);
  const p = Math.min(Math.max(0, reusablePrefix), n);
  const fresh = n - p;
  const rows: GpuEstimateRow[] = [];
  for (const [key, model] of Object.entries(data.models)) {
    const { name, factor } = layerFactor(key);
    const pts = [...model.points].sort((a, b) => a.tokens - b.tokens);
    const coldSeries: Series = pts.map((pt) => [pt.tokens, pt.cold_prefill_ms]);
    const minT = pts[0]?.tokens ?? 0;
    const maxT = pts[pts.length - 1]?.tokens ?? 0;
    const cold = (t: number) => (t <= 0 ? 0 : interp(coldSeries, t));
    let extrapolated = n < minT || n > maxT;

    // Warm: one series over total tokens per measured "new tokens" count, then linear across new-token counts.
    const byNew = new Map<number, Series>();
    for (const pt of pts) for (const w of pt.warm) {
      const s = byNew.get(w.new_tokens) ?? [];
      s.push([w.cached_prefix + w.new_tokens, w.warm_ms]);
      byNew.set(w.new_tokens, s);
    }
    const news = [...byNew.keys()].sort((a, b) => a - b);
    for (const s of byNew.values()) s.sort((a, b) => a[0] - b[0]);
    let warm: number;
    if (fresh === 0) warm = 0;
    else if (p === 0 || news.length === 0) warm = cold(n);
    else if (fresh <= news[news.length - 1]) {
      const hi = news.findIndex((k) => k >= fresh);
      const at = (k: number) => interp(byNew.get(k) as Series, n);
      if (hi <= 0) warm = at(news[0]);
      else {
        const k0 = news[hi - 1];
        const k1 = news[hi];
        warm = at(k0) + ((at(k1) - at(k0)) * (fresh - k0)) / (k1 - k0);
      }
    } else {
      // More new tokens than any measured continuation: the marginal cost of the uncached part of a cold prefill,
      // never below the largest measured continuation at this length.
      extrapolated = true;
      warm = Math.max(cold(n) - cold(p), interp(byNew.get(news[news.length - 1]) as Series, n));
    }
    const coldMs = cold(n) * factor;
    // Short prompts are launch-overhead bound and the data can show a cached run slower than a cold one; a provider
    // would not serve a cache hit slower than a recompute, so clamp.
    const warmMs = Math.min(warm * factor, coldMs);
    rows.push({ model: factor === 1 ? name : `${name} (×${factor} from ${key.split('/')[1]})`, coldMs, warmMs, savedMs: coldMs - warmMs, extrapolated });
  }
  return {
    rows,
    source: `${data.device}, ${data.dtype}, measured ${data.measured}`,
    device: data.device,
    measured: data.measured,
    method: data.method,
  };
}
