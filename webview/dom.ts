// Tiny DOM helper: elements built with properties and children, never from HTML strings (no injection, and no
// inline `style` attributes, which the nonce-only CSP would block).
export function el<K extends string>(tag: K, attrs: Record<string, string>, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

/** Reads a theme colour variable (contributes.colors → --vscode-promptCache-*), for canvas drawing. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

const nf = new Intl.NumberFormat('en-US');
export function fmt(n: number): string {
  return nf.format(Math.round(n));
}

export function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function fmtUsd(usd: number): string {
  return Math.abs(usd) < 0.01 && usd !== 0 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
