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

// The one set of number formatters (src/core/numbers.ts), under the short names the panel code uses.
export { formatCount as fmt, formatMs as fmtMs, formatUsd as fmtUsd } from '../src/view/format';
