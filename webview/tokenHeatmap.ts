// Token heatmap of the current version: every token coloured reused (cached prefix) or recomputed, the first
// divergent token marked. A 1 MB prompt has ~250k tokens, so only the rows on screen exist in the DOM: the text is
// cut into rows (lines, long lines wrapped every ROW_CHARS) and a scroll handler renders the visible window.
import { tokenAtOffset, visibleRows } from '../src/view/bucketing';
import type { SummaryView } from '../src/view/protocol';
import { el, fmt } from './dom';

const ROW_HEIGHT = 18;
const ROW_CHARS = 160;

export interface HeatmapCallbacks {
  reveal(uri: string, start: number, end: number): void;
  onScroll(top: number): void;
}

export class TokenHeatmap {
  private uri = '';
  fileName = '';
  private text = '';
  private ids: Uint32Array = new Uint32Array(0);
  private starts: Uint32Array = new Uint32Array(1);
  private divergence: number | null = null;
  /** Tokens the provider serves from cache: [0, cached) reused and served, [cached, divergence) reused but not served. */
  private cached = 0;
  /** Start offset of each visual row, plus text.length. */
  private rows: Uint32Array = new Uint32Array(1);
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly overview: HTMLElement;
  private readonly overviewReused: HTMLElement;
  private readonly overviewRecomputed: HTMLElement;
  private readonly overviewMarker: HTMLElement;
  private frame = 0;
  private lastRange = '';

  constructor(
    private readonly root: HTMLElement,
    private readonly cb: HeatmapCallbacks,
  ) {
    this.legend = el('div', { class: 'legend' });
    this.scroller = el('div', { class: 'scroller', tabindex: '0', role: 'region', 'aria-label': 'Token heatmap' });
    this.spacer = el('div', { class: 'spacer' });
    this.layer = el('div', { class: 'rows', 'data-testid': 'token-rows' });
    this.tooltip = el('div', { class: 'tooltip', role: 'tooltip', 'data-testid': 'token-tooltip', hidden: '' });
    this.scroller.append(this.spacer, this.layer);
    // Overview strip: where the divergence sits in the whole file; click to jump there.
    this.overview = el('div', { class: 'overview', 'data-testid': 'token-overview', title: 'Click to scroll there' });
    this.overviewReused = el('div', { class: 'ov-reused' });
    this.overviewRecomputed = el('div', { class: 'ov-recomputed' });
    this.overviewMarker = el('div', { class: 'ov-marker' });
    this.overview.append(this.overviewReused, this.overviewRecomputed, this.overviewMarker);
    this.overview.addEventListener('click', (e) => {
      const box = this.overview.getBoundingClientRect();
      const f = (e.clientY - box.top) / Math.max(1, box.height);
      this.scroller.scrollTop = f * this.scroller.scrollHeight - this.scroller.clientHeight / 2;
    });
    root.append(this.legend, el('div', { class: 'heat-wrap' }, this.scroller, this.overview), this.tooltip);
    this.clear('Open a prompt file to see its heatmap.');

    this.scroller.addEventListener('scroll', () => {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
        this.cb.onScroll(this.scroller.scrollTop);
      });
    });
    // Event delegation: one listener for all token spans, whatever is rendered.
    this.layer.addEventListener('mouseover', (e) => this.hover(e));
    this.layer.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    this.layer.addEventListener('click', (e) => {
      const i = tokenIndexOf(e.target);
      if (i === undefined) return;
      this.cb.reveal(this.uri, this.starts[i], this.starts[i + 1]);
    });
    new ResizeObserver(() => this.refresh()).observe(this.scroller);
  }

  get hasDocument(): boolean {
    return this.uri !== '';
  }

  clear(reason: string): void {
    this.uri = '';
    this.text = '';
    this.ids = new Uint32Array(0);
    this.starts = new Uint32Array(1);
    this.rows = new Uint32Array(1);
    this.legend.replaceChildren(el('span', { class: 'muted', 'data-testid': 'no-document' }, reason));
    this.layer.replaceChildren();
    this.spacer.style.height = '0px';
    if (this.overviewReused) {
      this.overviewReused.style.height = '0';
      this.overviewRecomputed.style.top = '100%';
      this.overviewMarker.hidden = true;
    }
    this.lastRange = '';
  }

  setDocument(uri: string, fileName: string, text: string, ids: Uint32Array, starts: Uint32Array, divergence: number | null, summary?: SummaryView): void {
    this.uri = uri;
    this.fileName = fileName;
    this.text = text;
    this.ids = ids;
    this.starts = starts;
    this.divergence = divergence;
    this.rows = buildRows(text);
    this.spacer.style.height = `${(this.rows.length - 1) * ROW_HEIGHT}px`;
    const reused = divergence === null ? ids.length : divergence;
    // The same state the headline says: tokens the provider's rule does not serve are marked apart (hatched).
    this.cached = Math.min(reused, summary ? summary.cachedTokens : reused);
    const provider = summary?.provider.split(' · ')[0] || 'the provider';
    const notServed = reused - this.cached;
    this.legend.replaceChildren(
      el('span', { class: 'swatch reused' }), ` cached ${fmt(this.cached)}`,
      ...(notServed > 0 ? [el('span', { class: 'swatch reused uncached' }), ` same as the baseline, not served by ${provider} ${fmt(notServed)}`] : []),
      el('span', { class: 'swatch recomputed' }), ` recomputed ${fmt(ids.length - reused)}`,
      el('span', { class: 'swatch divergence' }), divergence === null ? ' no divergence' : ` first divergent token #${fmt(divergence)}`,
      el('span', { class: 'muted' }, `  ·  ${fmt(ids.length)} tokens, ${fmt(this.rows.length - 1)} rows`),
    );
    this.updateOverview();
    this.lastRange = '';
    this.render();
  }

  private updateOverview(): void {
    const rowCount = Math.max(1, this.rows.length - 1);
    let f = 1;
    if (this.divergence !== null && this.ids.length > 0) {
      const off = this.starts[Math.min(this.divergence, this.ids.length - 1)];
      f = tokenAtOffset(this.rows, this.rows.length - 1, off) / rowCount;
    }
    this.overviewReused.style.height = `${(f * 100).toFixed(3)}%`;
    this.overviewRecomputed.style.top = `${(f * 100).toFixed(3)}%`;
    this.overviewMarker.style.top = `${(f * 100).toFixed(3)}%`;
    this.overviewMarker.hidden = this.divergence === null;
  }

  refresh(): void {
    this.lastRange = '';
    this.render();
  }

  scrollTo(top: number): void {
    this.scroller.scrollTop = top;
    this.render();
  }

  revealDivergence(): void {
    if (this.divergence === null || this.ids.length === 0) return;
    const off = this.starts[Math.min(this.divergence, this.ids.length - 1)];
    const row = tokenAtOffset(this.rows, this.rows.length - 1, off);
    this.scroller.scrollTop = Math.max(0, row * ROW_HEIGHT - this.scroller.clientHeight / 3);
    this.render();
  }

  private render(): void {
    const rowCount = this.rows.length - 1;
    const { first, last } = visibleRows(this.scroller.scrollTop, this.scroller.clientHeight || 600, ROW_HEIGHT, rowCount, 4);
    const key = `${first}:${last}:${this.ids.length}:${this.divergence}:${this.cached}`;
    if (key === this.lastRange) return;
    this.lastRange = key;
    const t0 = performance.now();
    const frag = document.createDocumentFragment();
    const n = this.ids.length;
    for (let r = first; r <= last; r++) {
      const rowStart = this.rows[r];
      const rowEnd = this.rows[r + 1];
      const row = document.createElement('div');
      row.className = 'row';
      let t = n === 0 ? -1 : tokenAtOffset(this.starts, n, rowStart);
      // Text the model never sees (front matter, comments a template drops) has no token: shown muted.
      let cursor = rowStart;
      for (; t >= 0 && t < n && this.starts[t] < rowEnd; t++) {
        const s = Math.max(this.starts[t], rowStart);
        const e = Math.min(this.starts[t + 1], rowEnd);
        if (e <= s) continue;
        if (s > cursor) row.append(gap(this.text.slice(cursor, s)));
        cursor = e;
        // Line breaks end a row; keep the token visible (and hoverable) as a small return mark.
        const piece = this.text.slice(s, e).replace(/\r?\n$|\r$/, '⏎');
        if (piece === '') continue;
        const span = document.createElement('span');
        span.className = this.divergence === null || t < this.divergence ? (t < this.cached ? 't r' : 't r u') : t === this.divergence ? 't c d' : 't c';
        span.dataset.i = String(t);
        span.textContent = piece;
        row.append(span);
      }
      if (cursor < rowEnd) {
        const rest = this.text.slice(cursor, rowEnd).replace(/\r?\n$|\r$/, '');
        if (rest) row.append(gap(rest));
      }
      frag.append(row);
    }
    this.layer.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    this.layer.replaceChildren(frag);
    // Exposed for tests and benchmarks: the DOM work of the last window (excludes the browser's layout/paint).
    this.root.dataset.renderMs = (performance.now() - t0).toFixed(2);
  }

  private hover(e: MouseEvent): void {
    const i = tokenIndexOf(e.target);
    if (i === undefined) return;
    const text = this.text.slice(this.starts[i], this.starts[i + 1]);
    const same = this.divergence === null || i < this.divergence;
    const state = same ? (i < this.cached ? 'reused, served from cache' : 'same as the baseline, not served from cache by the provider\'s rule') : i === this.divergence ? 'first recomputed (divergence)' : 'recomputed';
    this.tooltip.replaceChildren(
      el('div', { class: 'tok-text' }, JSON.stringify(text)),
      el('div', {}, `id ${this.ids[i]} · token #${fmt(i)} · offset ${fmt(this.starts[i])}`),
      el('div', { class: 'muted' }, state),
    );
    this.tooltip.hidden = false;
    const box = this.root.getBoundingClientRect();
    const t = (e.target as HTMLElement).getBoundingClientRect();
    this.tooltip.style.left = `${Math.max(0, Math.min(t.left - box.left, box.width - 260))}px`;
    this.tooltip.style.top = `${t.bottom - box.top + 4}px`;
  }
}

function gap(text: string): HTMLElement {
  const span = document.createElement('span');
  span.className = 'x';
  span.title = 'Not part of what the model sees';
  span.textContent = text;
  return span;
}

function tokenIndexOf(target: EventTarget | null): number | undefined {
  if (!(target instanceof HTMLElement) || !target.dataset.i) return undefined;
  const i = Number(target.dataset.i);
  return Number.isInteger(i) ? i : undefined;
}

/** Row starts: every line is a row; lines longer than ROW_CHARS are wrapped at fixed widths. */
export function buildRows(text: string): Uint32Array {
  const out: number[] = [0];
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isBreak = c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10);
    if (i - lineStart >= ROW_CHARS && !isBreak) {
      // Do not split a surrogate pair across rows.
      const cut = (text.charCodeAt(i) & 0xfc00) === 0xdc00 ? i - 1 : i;
      out.push(cut);
      lineStart = cut;
    }
    if (isBreak) {
      out.push(i + 1);
      lineStart = i + 1;
    }
  }
  if (out[out.length - 1] !== text.length || text.length === 0) out.push(text.length);
  return Uint32Array.from(out);
}
