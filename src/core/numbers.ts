// The one set of number formatters: CLI tables, lint messages, the status bar, hovers and the panel all print
// counts, shares, prices and durations through these, so the same figure reads the same everywhere.

// Made on first use: the first Intl formatter of a process loads its locale data (~20 ms), not activation's cost.
let nf: Intl.NumberFormat | undefined;

/** 3,412 — token counts read like tables, not 3412. */
export function formatCount(n: number): string {
  return (nf ??= new Intl.NumberFormat('en-US')).format(Math.round(n));
}

/** A share as a percentage: whole numbers, but never "100%" unless it is, and never "0%" for a non-zero share. */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '0%';
  const p = ratio * 100;
  // 99.6% would round to "100%" although part of the prompt is recomputed: never claim 100 unless it is.
  if (p > 99 && p < 100) return `${Math.floor(p * 10) / 10}%`;
  if (p > 0 && p < 1) return '<1%';
  return `${Math.round(p)}%`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 1 : 2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** File sizes: 812 bytes, 4.0 KB, 18.7 MB, 1.0 GB (binary units, as file managers show them). */
export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
