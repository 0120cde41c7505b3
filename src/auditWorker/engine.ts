// What the audit worker does, without the thread: per-document token state (updated incrementally on edits),
// the baseline, and the audit. The worker entry only moves messages; tests drive this class directly too.
import type { EncodingName, TokenizedText } from '../core/encodings';
import type { DiffResult } from '../core/types';
import { LineIndex, renderedToSourceOffset, sourceToRenderedOffset } from '../core/text';
import { requestKeyChange } from '../core/formats/requestKeys';
import type { AuditResult, AuditSettings, BaselineText, DocumentEdit, HistoryRow, HostToWorker, WorkerToHost } from './protocol';
import { assertNever } from './protocol';
import {
  applyRulesFile, commonPrefixLength, createTokenSequence, estimateProviders, fullAudit, PiecesSequence, render, resolveEncoding, tokenizeRendered,
  type Rendered, type RenderedLayout, type TokenSequence,
} from './coreBridge';
import { directRenderedOffset, LineStarts, renderedAfterEdit, type QuickLayout } from './quickRender';
import { auditWorkspaceFiles, listPromptFiles, stopHistoryReads } from './workspaceAudit';

interface BaselineState {
  label: string;
  source: string;
  fileName?: string;
  /** Tokens of the baseline's rendered text under the current encoding (computed lazily). */
  tokens?: TokenizedText;
  idsEncoding?: EncodingName;
  rendered?: Rendered;
  lines?: LineIndex;
}

interface DocState {
  uri: string;
  fileName: string;
  version: number;
  /**
   * The source text, when known as one string. Keystroke edits leave it unset: the source is then `sourceHead`
   * followed by the tokens' text (the rendering), joined only when something needs it whole (`sourceOf`).
   */
  source: string | undefined;
  /** The source before the rendered body (a prompt file's front matter), which keystroke edits never change. */
  sourceHead: string;
  /** The rendering's layout; its text is `tokens`' text. */
  rendered: QuickLayout;
  encoding: EncodingName;
  tokens: TokenSequence;
  /** Line starts of the source, kept up to date by edits (line/column of the divergence without a scan). */
  lines: LineStarts;
  baseline: BaselineState;
  /** Common prefix with the baseline, kept up to date cheaply from the edit's first changed token. */
  firstDivergentToken: number | null;
  findings: DiffResult['findings'];
  findingsVersion: number;
  lastTokenizeMs: number;
  lastIncremental: boolean;
  /** The last divergence was 0 because a request setting (front matter tools/model…) differs from the baseline. */
  requestKeyMiss?: boolean;
}

const DEFAULT_SETTINGS: AuditSettings = { provider: 'anthropic', model: '', encoding: 'auto', pricePerMillionTokens: null };
const NO_BASELINE: BaselineState = { label: 'empty (no baseline)', source: '' };

export class AuditEngine {
  private settings: AuditSettings = DEFAULT_SETTINGS;
  private readonly docs = new Map<string, DocState>();

  constructor(private readonly post: (msg: WorkerToHost, transfer?: ArrayBuffer[]) => void) {}

  /** Handles one message; returns after any answer is posted. */
  handle(msg: HostToWorker): void {
    try {
      this.dispatch(msg);
    } catch (e) {
      const requestId = 'requestId' in msg ? msg.requestId : undefined;
      const uri = 'uri' in msg ? msg.uri : undefined;
      this.post({ type: 'error', requestId, uri, message: e instanceof Error ? e.message : String(e) });
    }
  }

  private dispatch(msg: HostToWorker): void {
    switch (msg.type) {
      case 'configure': {
        const before = resolveEncoding(this.settings).encoding;
        const readsBefore = JSON.stringify([this.settings.deploymentVariables ?? [], this.settings.workspaceRoots ?? []]);
        // A bad rules file throws here (the host shows the message) and leaves the previous rules in force.
        applyRulesFile(msg.settings.rulesFile);
        this.settings = msg.settings;
        const after = resolveEncoding(this.settings).encoding;
        // Deployment variables and roots change what templates render to: render every document and baseline again.
        const readsChanged = readsBefore !== JSON.stringify([this.settings.deploymentVariables ?? [], this.settings.workspaceRoots ?? []]);
        if (readsChanged) for (const d of this.docs.values()) d.baseline = { ...d.baseline, rendered: undefined, tokens: undefined };
        if (before !== after || readsChanged) for (const d of this.docs.values()) this.retokenize(d);
        // Lint minimums and prices depend on the provider/model: findings must be recomputed.
        for (const d of this.docs.values()) d.findingsVersion = -1;
        return;
      }
      case 'open': {
        const prev = this.docs.get(msg.uri);
        this.docs.set(msg.uri, this.createDoc(msg.uri, msg.fileName, msg.version, msg.text, prev?.baseline ?? NO_BASELINE));
        return;
      }
      case 'change': {
        const d = this.docs.get(msg.uri);
        if (!d || msg.version <= d.version) {
          if (!d || msg.version < d.version) this.post({ type: 'resync', uri: msg.uri });
          return; // a duplicate of an applied change is harmless to skip
        }
        this.applyEdits(d, msg.edits);
        d.version = msg.version;
        return;
      }
      case 'setBaseline': {
        const d = this.docs.get(msg.uri);
        const b = msg.baseline ? toBaseline(msg.baseline) : NO_BASELINE;
        if (d) {
          d.baseline = b;
          d.firstDivergentToken = this.divergence(d, 0);
          d.findingsVersion = -1;
        }
        return;
      }
      case 'close':
        this.docs.delete(msg.uri);
        return;
      case 'audit': {
        const d = this.docs.get(msg.uri);
        if (!d) return this.post({ type: 'resync', uri: msg.uri });
        const result = this.audit(d, msg.full);
        this.post({ type: 'audit', requestId: msg.requestId, uri: d.uri, version: d.version, result });
        return;
      }
      case 'tokens': {
        const d = this.docs.get(msg.uri);
        if (!d) return this.post({ type: 'resync', uri: msg.uri });
        const ids = d.tokens.ids.slice();
        const sourceStarts = this.sourceStarts(d);
        const baselineIds = msg.withBaseline ? this.baselineIds(d).slice() : undefined;
        const transfer = [ids.buffer as ArrayBuffer, sourceStarts.buffer as ArrayBuffer];
        if (baselineIds) transfer.push(baselineIds.buffer as ArrayBuffer);
        this.post({ type: 'tokens', requestId: msg.requestId, uri: d.uri, version: d.version, encoding: d.encoding, ids, sourceStarts, firstDivergentToken: d.firstDivergentToken, baselineIds }, transfer);
        return;
      }
      case 'history': {
        this.post({ type: 'history', requestId: msg.requestId, uri: msg.uri, rows: this.history(msg.fileName, msg.versions) });
        return;
      }
      case 'auditFiles': {
        const t0 = performance.now();
        const { requestId } = msg;
        // Reads files and Git asynchronously: edits and keystroke audits are answered between its awaits.
        auditWorkspaceFiles(msg.files, msg.baseline, this.settings).then(
          (results) => this.post({ type: 'auditFiles', requestId, results, ms: performance.now() - t0 }),
          (e) => this.post({ type: 'error', requestId, message: e instanceof Error ? e.message : String(e) }),
        );
        return;
      }
      case 'listFiles': {
        const { requestId } = msg;
        listPromptFiles(msg.folders, { include: msg.include, exclude: msg.exclude }, { forAudit: msg.forAudit }).then(
          (files) => this.post({ type: 'listFiles', requestId, files }),
          (e) => this.post({ type: 'error', requestId, message: e instanceof Error ? e.message : String(e) }),
        );
        return;
      }
      case 'cancel':
        return; // handled by the worker's queue (it drops queued requests); nothing runs here
      case 'stopWorkspaceAudit':
        stopHistoryReads();
        return;
      default:
        assertNever(msg);
    }
  }

  /** Number of open documents (tests, diagnostics). */
  get documentCount(): number {
    return this.docs.size;
  }

  private createDoc(uri: string, fileName: string, version: number, source: string, baseline: BaselineState): DocState {
    const { encoding } = resolveEncoding(this.settings);
    const rendered = render(source, fileName, this.settings);
    const t0 = performance.now();
    const tokens = createTokenSequence(encoding, rendered);
    const d: DocState = {
      uri, fileName, version, source, sourceHead: headOf(source, rendered), rendered: layoutOf(rendered), encoding, tokens, baseline,
      lines: new LineStarts(source), firstDivergentToken: null, findings: [], findingsVersion: -1,
      lastTokenizeMs: performance.now() - t0, lastIncremental: false,
    };
    d.firstDivergentToken = this.divergence(d, 0);
    return d;
  }

  private retokenize(d: DocState): void {
    this.docs.set(d.uri, this.createDoc(d.uri, d.fileName, d.version, sourceOf(d), d.baseline));
  }

  private applyEdits(d: DocState, edits: DocumentEdit[]): void {
    const t0 = performance.now();
    for (const e of edits) {
      if (!(e.offset >= 0 && e.deleteLength >= 0 && e.offset + e.deleteLength <= sourceLength(d))) throw new Error(`edit out of range in ${d.uri}`);
    }
    // The keystroke path: one edit that maps straight into the rendered text: no re-extraction, and no O(N) copy
    // or scan of the source (it stays the front matter + the tokenizer's text, joined only when read whole).
    const at = edits.length === 1 && d.tokens.incremental ? directRenderedOffset(d.rendered, d.sourceHead, d.tokens, edits[0]) : null;
    let firstChanged: number;
    if (at !== null) {
      const e = edits[0];
      const deleted = d.tokens.textSlice(at, at + e.deleteLength);
      firstChanged = d.tokens.applyEdit(at, e.deleteLength, e.text).firstChangedToken;
      const after = d.tokens;
      const shift = e.offset - at;
      const h = d.sourceHead;
      d.source = undefined;
      d.lines.applyEdit((i) => (i >= shift ? after.charCodeAt(i - shift) : h.charCodeAt(i)), sourceLength(d), e.offset, e.deleteLength, e.text.length);
      d.rendered = renderedAfterEdit(d.rendered, after, at, deleted, e.text);
    } else {
      // Edits of one event do not overlap; applying them from the highest offset down keeps every offset valid.
      const sorted = edits.length > 1 ? [...edits].sort((a, b) => b.offset - a.offset) : edits;
      let source = sourceOf(d);
      for (const e of sorted) {
        source = source.slice(0, e.offset) + e.text + source.slice(e.offset + e.deleteLength);
        const text = source;
        d.lines.applyEdit((i) => text.charCodeAt(i), text.length, e.offset, e.deleteLength, e.text.length);
      }
      firstChanged = this.reRender(d, source, sorted);
      d.source = source;
    }
    d.lastTokenizeMs = performance.now() - t0;
    d.lastIncremental = d.tokens.incremental;
    d.firstDivergentToken = this.divergence(d, firstChanged);
  }

  /** Re-extracts the prompt (templates, JSON, front matter edits) and brings the tokens up to date. */
  private reRender(d: DocState, source: string, edits: readonly DocumentEdit[]): number {
    const before = d.tokens.text;
    const rendered = render(source, d.fileName, this.settings);
    d.sourceHead = headOf(source, rendered);
    const after = rendered.text;
    // The rendered text changes in one contiguous span (common prefix and suffix): one incremental edit. Scanning
    // 1 MB char by char costs ~20 ms, so start from where the source edits map to and only verify up to there.
    let lo = Infinity;
    let hi = 0;
    for (const e of edits) {
      lo = Math.min(lo, e.offset);
      hi = Math.max(hi, e.offset + e.deleteLength);
    }
    const prefixHint = sourceToRenderedOffset(d.rendered.map, lo) ?? 0;
    const endHint = sourceToRenderedOffset(d.rendered.map, hi);
    const p = commonTextPrefix(before, after, prefixHint);
    const s = commonTextSuffix(before, after, endHint === null ? 0 : before.length - endHint, Math.min(before.length, after.length) - p);
    const pieces = rendered.hardBoundaries?.length ? rendered.hardBoundaries : undefined;
    if (pieces || !d.tokens.incremental) {
      // Pieces between hard boundaries are tokenized apart, as the core does: only the changed pieces again.
      const old = d.tokens;
      d.rendered = layoutOf(rendered);
      if (old instanceof PiecesSequence && pieces) return old.update(after, pieces, p, s);
      d.tokens = createTokenSequence(d.encoding, rendered);
      return commonPrefixLength(old.ids, d.tokens.ids);
    }
    let firstChanged = d.tokens.ids.length;
    if (before !== after) firstChanged = d.tokens.applyEdit(p, before.length - p - s, after.slice(p, after.length - s)).firstChangedToken;
    d.rendered = layoutOf(rendered);
    return firstChanged;
  }

  private baselineTokens(d: DocState): TokenizedText {
    const b = d.baseline;
    if (!b.tokens || !b.rendered || b.idsEncoding !== d.encoding) {
      b.rendered = render(b.source, b.fileName ?? d.fileName, this.settings);
      b.tokens = tokenizeRendered(d.encoding, b.rendered);
      b.idsEncoding = d.encoding;
    }
    return b.tokens;
  }

  private baselineIds(d: DocState): Uint32Array {
    return this.baselineTokens(d).ids;
  }

  /** First divergent token vs the baseline; tokens before `firstChanged` are known unchanged since the last check. */
  private divergence(d: DocState, firstChanged: number): number | null {
    const old = this.baselineIds(d);
    const ids = d.tokens.ids;
    // A changed request setting (front matter tools/model/applyTo…, a body's model): nothing is reused.
    if (d.baseline.rendered && requestKeyChange(d.baseline.rendered, d.rendered)) {
      d.requestKeyMiss = true;
      return 0;
    }
    // The 0 of a request-setting change says nothing about the tokens: compare them again from the start.
    const prev = d.requestKeyMiss ? null : d.firstDivergentToken;
    if (d.requestKeyMiss) {
      d.requestKeyMiss = false;
      firstChanged = 0;
    }
    // A divergence before the edit stays where it was: everything before the edit is untouched.
    if (prev !== null && prev < firstChanged) return prev;
    const k = commonPrefixLength(old, ids, firstChanged);
    return k === ids.length && k === old.length ? null : k;
  }

  private audit(d: DocState, full: boolean): AuditResult {
    const t0 = performance.now();
    let diff: DiffResult | undefined;
    let findingsFresh = d.findingsVersion === d.version;
    if (full && !findingsFresh) {
      diff = fullAudit({ oldSource: d.baseline.source, newSource: sourceOf(d), fileName: d.fileName, oldFileName: d.baseline.fileName, settings: this.settings });
      if (diff) {
        d.findings = diff.findings;
        d.findingsVersion = d.version;
        findingsFresh = true;
      }
    }
    diff ??= this.quickDiff(d);
    const divergenceRange = this.divergenceRange(d, diff);
    return {
      diff,
      baselineLabel: d.baseline.label,
      divergenceRange,
      findingsFresh,
      timings: { tokenizeMs: d.lastTokenizeMs, totalMs: performance.now() - t0, incremental: d.lastIncremental },
    };
  }

  /** The audit from the incrementally maintained tokens: what every keystroke gets. */
  private quickDiff(d: DocState): DiffResult {
    const { note } = resolveEncoding(this.settings);
    const oldIds = this.baselineIds(d);
    const total = d.tokens.ids.length;
    const k = d.firstDivergentToken;
    const reusable = k === null ? total : k;
    let divergence: DiffResult['divergence'] = null;
    if (k !== null) {
      const renderedNew = d.tokens.tokenStart(Math.min(k, total));
      const newOffset = renderedToSourceOffset(d.rendered.map, renderedNew, sourceLength(d));
      // Both versions share tokens [0, k), so token k starts at the same rendered offset in the old version.
      const oldRendered = d.baseline.rendered;
      const oldOffset = oldRendered ? renderedToSourceOffset(oldRendered.map, Math.min(renderedNew, oldRendered.text.length), d.baseline.source.length) : 0;
      const seg = d.rendered.segments.find((s) => s.start <= renderedNew && renderedNew < s.end);
      d.baseline.lines ??= new LineIndex(d.baseline.source);
      divergence = { ...d.lines.position(newOffset), old: d.baseline.lines.position(oldOffset), segment: seg?.name };
    }
    const keyChange = d.baseline.rendered ? requestKeyChange(d.baseline.rendered, d.rendered) : null;
    if (keyChange) {
      d.baseline.lines ??= new LineIndex(d.baseline.source);
      divergence = { ...d.lines.position(keyChange.now?.start ?? 0), old: d.baseline.lines.position(keyChange.before?.start ?? 0), segment: keyChange.key };
    }
    const tokens = d.tokens;
    // `starts` is read only by estimates that need a token index of an offset (templates, JSON breakpoints):
    // settling it costs O(tokens after the last edit), so a plain prompt's keystroke never asks for it.
    const newTokens = { ids: tokens.ids, get starts() { return tokens.starts; } };
    return {
      encoding: d.encoding,
      encodingNote: note,
      format: d.rendered.format,
      old: { tokens: oldIds.length },
      new: { tokens: total },
      firstDivergentToken: k,
      reusablePrefixTokens: reusable,
      recomputedTokens: total - reusable,
      divergence,
      providers: estimateProviders(this.settings, d.encoding, reusable, d.baseline.rendered ?? render(d.baseline.source, d.fileName, this.settings), this.baselineTokens(d), withText(d), newTokens),
      findings: d.findings,
      ...(keyChange ? { fullMiss: { key: keyChange.key, reason: keyChange.reason } } : {}),
      // Identical tokens from different files: only file-only parts (front matter, JSON whitespace) changed.
      ...(k === null && !keyChange && (sourceLength(d) !== d.baseline.source.length || sourceOf(d) !== d.baseline.source) ? { noEffectOnCache: true } : {}),
    };
  }

  private divergenceRange(d: DocState, diff: DiffResult): { start: number; end: number } | null {
    if (diff.firstDivergentToken === null || diff.noEffectOnCache) return null;
    const k = d.firstDivergentToken ?? diff.firstDivergentToken;
    const n = d.tokens.ids.length;
    if (k >= n) {
      // The new version is a strict prefix of the baseline: mark its end.
      const end = renderedToSourceOffset(d.rendered.map, d.tokens.length, sourceLength(d));
      return { start: end, end };
    }
    const start = renderedToSourceOffset(d.rendered.map, d.tokens.tokenStart(k), sourceLength(d));
    const end = Math.max(start, renderedToSourceOffset(d.rendered.map, d.tokens.tokenStart(k + 1), sourceLength(d)));
    return { start, end };
  }

  private sourceStarts(d: DocState): Uint32Array {
    const starts = d.tokens.starts;
    const map = d.rendered.map;
    // The identity map (plain text) needs no per-token lookup.
    if (map.length === 1 && map[0].exact && map[0].renderedStart === 0 && map[0].sourceStart === 0) return starts.slice();
    const out = new Uint32Array(starts.length);
    const n = sourceLength(d);
    for (let i = 0; i < starts.length; i++) out[i] = renderedToSourceOffset(map, starts[i], n);
    return out;
  }

  private history(fileName: string, versions: { id: string; text: string }[]): HistoryRow[] {
    const { encoding } = resolveEncoding(this.settings);
    const rows: HistoryRow[] = [];
    let prev: Uint32Array | null = null;
    for (const v of versions) {
      const ids = tokenizeRendered(encoding, render(v.text, fileName, this.settings)).ids;
      let first: number | null = 0;
      if (prev) {
        const k = commonPrefixLength(prev, ids);
        first = k === prev.length && k === ids.length ? null : k;
      }
      rows.push({ id: v.id, tokens: ids.length, firstDivergentToken: first, recomputedTokens: first === null ? 0 : ids.length - first });
      prev = ids;
    }
    return rows;
  }
}

/** The whole source (joined from the front matter and the rendered text after keystroke edits). */
function sourceOf(d: DocState): string {
  return (d.source ??= d.sourceHead + d.tokens.text);
}

/** The source's length, O(1) whether or not it is held as one string. */
function sourceLength(d: DocState): number {
  return d.source?.length ?? d.sourceHead.length + d.tokens.length;
}

/** The source before the rendered body: what a keystroke-path source is made of besides the rendered text. */
function headOf(source: string, rendered: Rendered): string {
  return source.slice(0, rendered.frontMatter?.end ?? 0);
}

function layoutOf(rendered: Rendered): RenderedLayout {
  const { text: _text, ...layout } = rendered;
  return layout;
}

/** The rendering with its text read from the tokens on demand (estimates read offsets, not the text). */
function withText(d: DocState): Rendered {
  const tokens = d.tokens;
  return { ...d.rendered, get text() { return tokens.text; } };
}

function toBaseline(b: BaselineText): BaselineState {
  return { label: b.label, source: b.text, fileName: b.fileName };
}

/** Length of the common prefix of two texts, trusting `hint` once a single (memcmp-fast) comparison confirms it. */
export function commonTextPrefix(a: string, b: string, hint: number): number {
  const n = Math.min(a.length, b.length);
  let p = Math.max(0, Math.min(hint, n));
  if (p > 0 && a.slice(0, p) !== b.slice(0, p)) p = 0; // wrong hint (a format that re-renders): scan from the start
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/** Length of the common suffix, at most `max` (so it never overlaps the common prefix). */
export function commonTextSuffix(a: string, b: string, hint: number, max: number): number {
  let s = Math.max(0, Math.min(hint, max));
  if (s > 0 && a.slice(a.length - s) !== b.slice(b.length - s)) s = 0;
  while (s < max && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return s;
}
