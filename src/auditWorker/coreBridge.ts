// The one place the extension calls into the core for auditing. Keeping it thin and in one file means the
// extension follows the core's API as it evolves without touching the worker or the editor adapters.
import * as path from 'node:path';
import { diffVersions, estimateForVersions, extractPrompt, lintPromptReport, resolveEncoding as coreResolveEncoding } from '../core/audit';
import { diskReader, type ExtractOptions } from '../core/formats';
import { tokenizePieces } from '../core/divergence';
import { getBpeEncoder, getEncoder, isBpeEncoding, type EncodingName, type TokenizedText } from '../core/encodings';
import { useRulesFile } from '../core/providers';
import type { HistoryVersion } from '../core/lint';
import { IncrementalTokenizer } from '../core/tokenizer/incremental';
import type { DiffResult, ExtractedPrompt, ProviderEstimate } from '../core/types';
import type { AuditSettings } from './protocol';

/** What the model sees for a version of the file, and how to map it back to the file. */
export type Rendered = ExtractedPrompt;
/** A rendering without its text: the engine keeps the text in the token sequence, which edits update in place. */
export type RenderedLayout = Omit<Rendered, 'text'>;

export function resolveEncoding(settings: AuditSettings): { encoding: EncodingName; note?: string } {
  return coreResolveEncoding({ encoding: settings.encoding === 'auto' ? undefined : settings.encoding, provider: settings.provider, model: settings.model || undefined });
}

export function render(source: string, fileName: string, settings?: AuditSettings): Rendered {
  return extractPrompt(source, fileName, settings ? extractOptionsFor(settings, fileName) : {});
}

const readers = new Map<string, ExtractOptions['readFile']>();

/**
 * What extraction may read for a file: the workspace folder holding it (includes, partials, vars files are read only
 * inside it) and the names fixed per deployment. A file outside every folder reads no other file.
 */
export function extractOptionsFor(settings: AuditSettings, fileName: string): ExtractOptions {
  const abs = path.resolve(fileName);
  const root = (settings.workspaceRoots ?? [])
    .map((r) => path.resolve(r))
    .filter((r) => abs.startsWith(r.endsWith(path.sep) ? r : r + path.sep))
    .sort((a, b) => b.length - a.length)[0];
  let readFile = root ? readers.get(root) : undefined;
  if (root && !readFile) readers.set(root, (readFile = diskReader(root)));
  return { root, readFile, deploymentVariables: settings.deploymentVariables };
}

/**
 * Read access to a text that may be kept in pieces (the incremental tokenizer's blocks): each read costs what it
 * copies, so a keystroke never joins a 1 MB text.
 */
export interface TextReader {
  readonly length: number;
  /** The whole text: O(length) after a change. */
  readonly text: string;
  /** NaN outside the text. */
  charCodeAt(i: number): number;
  textSlice(from: number, to: number): string;
}

/** Token sequence of a rendered prompt (its text is the rendered text); `incremental` ones can follow edits. */
export interface TokenSequence extends TextReader {
  /** A view, valid until the next edit. */
  readonly ids: Uint32Array;
  /** Rendered offset of each token's start; length ids.length + 1. Can cost O(tokens after the last edit). */
  readonly starts: Uint32Array;
  readonly incremental: boolean;
  /** Start of token i (i <= ids.length), O(1). */
  tokenStart(i: number): number;
  /** Applies one edit (incremental sequences only); returns the first token index whose id may differ. */
  applyEdit(offset: number, deleteLength: number, insertText: string): { firstChangedToken: number };
}

class IncrementalSequence implements TokenSequence {
  private readonly tok: IncrementalTokenizer;
  readonly incremental = true;
  constructor(encoding: EncodingName, text: string) {
    this.tok = new IncrementalTokenizer(getBpeEncoder(encoding), text);
  }
  get text(): string {
    return this.tok.text;
  }
  get length(): number {
    return this.tok.length;
  }
  charCodeAt(i: number): number {
    return this.tok.charCodeAt(i);
  }
  textSlice(from: number, to: number): string {
    return this.tok.textSlice(from, to);
  }
  get ids(): Uint32Array {
    return this.tok.ids;
  }
  get starts(): Uint32Array {
    return this.tok.starts;
  }
  tokenStart(i: number): number {
    return this.tok.tokenStart(i);
  }
  applyEdit(offset: number, deleteLength: number, insertText: string) {
    return { firstChangedToken: this.tok.applyEdit(offset, deleteLength, insertText).firstChangedToken };
  }
}

/**
 * Tokens of a rendering with hard boundaries (JSON bodies: no merge across messages), as the core cuts them. Not
 * incremental, but an update re-tokenizes only the pieces that changed: a piece's tokens depend on its text alone.
 */
export class PiecesSequence implements TokenSequence {
  readonly incremental = false;
  private t: TokenizedText;
  private cuts: number[];
  constructor(private readonly encoding: EncodingName, public text: string, boundaries: number[]) {
    this.cuts = pieceCuts(text, boundaries);
    this.t = tokenizePieces(getEncoder(encoding), text, boundaries);
  }

  /**
   * The tokens of a new rendering whose text shares `prefix` leading and `suffix` trailing chars with the current
   * one; returns the first token index that may differ.
   */
  update(text: string, boundaries: number[], prefix: number, suffix: number): number {
    const oldCuts = this.cuts;
    const cuts = pieceCuts(text, boundaries);
    const shift = text.length - this.text.length;
    // Leading pieces: same cuts, inside the common prefix. Trailing pieces: same cuts (moved), inside the suffix.
    let a = 0;
    while (a + 1 < oldCuts.length && a + 1 < cuts.length && oldCuts[a + 1] === cuts[a + 1] && cuts[a + 1] <= prefix) a++;
    let b = 0;
    while (b + 1 < oldCuts.length - a && b + 1 < cuts.length - a && oldCuts[oldCuts.length - 2 - b] + shift === cuts[cuts.length - 2 - b] && this.text.length - oldCuts[oldCuts.length - 2 - b] <= suffix) b++;
    const from = cuts[a];
    const to = cuts[cuts.length - 1 - b];
    const oldTo = oldCuts[oldCuts.length - 1 - b];
    const mid = tokenizePieces(getEncoder(this.encoding), text.slice(from, to), cuts.slice(a + 1, cuts.length - 1 - b).map((c) => c - from));
    const old = this.t;
    const t0 = tokensBeforeOffset(old.starts, old.ids.length, from);
    const t1 = tokensBeforeOffset(old.starts, old.ids.length, oldTo);
    const n = t0 + mid.ids.length + (old.ids.length - t1);
    const ids = new Uint32Array(n);
    const starts = new Uint32Array(n + 1);
    ids.set(old.ids.subarray(0, t0));
    starts.set(old.starts.subarray(0, t0));
    ids.set(mid.ids, t0);
    for (let i = 0; i < mid.ids.length; i++) starts[t0 + i] = mid.starts[i] + from;
    ids.set(old.ids.subarray(t1), t0 + mid.ids.length);
    for (let i = t1; i <= old.ids.length; i++) starts[i - t1 + t0 + mid.ids.length] = old.starts[i] + shift;
    const firstChanged = commonPrefixLength(old.ids, ids, t0);
    this.t = { ids, starts };
    this.cuts = cuts;
    this.text = text;
    return firstChanged;
  }
  get length(): number {
    return this.text.length;
  }
  charCodeAt(i: number): number {
    return this.text.charCodeAt(i);
  }
  textSlice(from: number, to: number): string {
    return this.text.slice(from, to);
  }
  get ids(): Uint32Array {
    return this.t.ids;
  }
  get starts(): Uint32Array {
    return this.t.starts;
  }
  tokenStart(i: number): number {
    return this.t.starts[i];
  }
  applyEdit(): never {
    throw new Error('not an incremental token sequence');
  }
}

/** 0, the boundaries inside the text (sorted, unique, as tokenizePieces uses them), the text's length. */
function pieceCuts(text: string, boundaries: number[]): number[] {
  return [0, ...[...new Set(boundaries.filter((b) => b > 0 && b < text.length))].sort((x, y) => x - y), text.length];
}

/** Number of tokens starting before a rendered offset. */
function tokensBeforeOffset(starts: Uint32Array, n: number, offset: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (starts[m] < offset) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/**
 * Tokens of a rendered prompt exactly as the core counts them (hard boundaries included). The incremental tokenizer
 * is tiktoken BPE only: a model's own tokenizer (Qwen, Llama 3, …) re-tokenizes the changed pieces — the whole
 * rendering when it has no hard boundaries.
 */
export function createTokenSequence(encoding: EncodingName, rendered: Pick<Rendered, 'text' | 'hardBoundaries'>): TokenSequence {
  if (rendered.hardBoundaries?.length || !isBpeEncoding(encoding)) return new PiecesSequence(encoding, rendered.text, rendered.hardBoundaries ?? []);
  return new IncrementalSequence(encoding, rendered.text);
}

/** Puts the settings' rules file in force in this thread (the core keeps one rule set per thread). */
export function applyRulesFile(file: string | undefined): void {
  useRulesFile(file || undefined);
}

/** One-off tokens of a rendered prompt, as the core's diff computes them. */
export function tokenizeRendered(encoding: EncodingName, rendered: Pick<Rendered, 'text' | 'hardBoundaries'>): TokenizedText {
  return tokenizePieces(getEncoder(encoding), rendered.text, rendered.hardBoundaries);
}

export function commonPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>, from = 0): number {
  const n = Math.min(a.length, b.length);
  let i = Math.min(from, n);
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Provider estimate from incrementally maintained tokens: the core's own function, so it equals diffVersions'. */
export function estimateProviders(
  settings: AuditSettings,
  encoding: EncodingName,
  reusablePrefix: number,
  oldPrompt: Rendered,
  oldTokens: TokenizedText,
  newPrompt: Rendered,
  newTokens: TokenizedText,
): ProviderEstimate[] {
  return estimateForVersions(
    { oldPrompt, newPrompt, oldTokens, newTokens, reusablePrefixTokens: reusablePrefix },
    { provider: settings.provider, model: settings.model || undefined, pricePerMTok: settings.pricePerMillionTokens ?? undefined, encoding },
  );
}

export interface FullAuditInput {
  oldSource: string;
  newSource: string;
  fileName: string;
  oldFileName?: string;
  settings: AuditSettings;
  /** The file's earlier versions (git), for lint's history evidence, as `prompt-cache-audit lint` reads them. */
  history?: readonly HistoryVersion[];
}

/** The core's whole audit (format-aware diff, provider estimates and lint findings), as the CLI computes it. */
export function fullAudit(input: FullAuditInput): DiffResult {
  const s = input.settings;
  return diffVersions(input.oldSource, input.newSource, {
    ...extractOptionsFor(s, input.fileName),
    fileName: input.fileName,
    oldFileName: input.oldFileName,
    encoding: s.encoding === 'auto' ? undefined : s.encoding,
    provider: s.provider,
    model: s.model || undefined,
    pricePerMTok: s.pricePerMillionTokens ?? undefined,
    history: input.history,
  });
}

/**
 * The audit of a file whose text equals its baseline (the common case in a workspace audit): tokenized once, lint
 * findings as `prompt-cache-audit lint` finds them, and what each provider would serve when it is sent again.
 */
export function unchangedAudit(source: string, fileName: string, settings: AuditSettings, history?: readonly HistoryVersion[]): DiffResult {
  const { encoding, note } = resolveEncoding(settings);
  // What extraction reads (includes, vars files) as the full audit and the CLI read it.
  const options = { ...extractOptionsFor(settings, fileName), fileName, encoding, provider: settings.provider, model: settings.model || undefined };
  const prompt = extractPrompt(source, fileName, options);
  const tokens = tokenizePieces(getEncoder(encoding), prompt.text, prompt.hardBoundaries);
  const n = tokens.ids.length;
  // The core's per-file lint, as `prompt-cache-audit lint` runs it (same history, same rules).
  const { findings } = lintPromptReport(source, options, { history }, { prompt, tokens });
  const providers = estimateProviders(settings, encoding, n, prompt, tokens, prompt, tokens);
  return {
    encoding,
    ...(note ? { encodingNote: note } : {}),
    format: prompt.format,
    old: { tokens: n },
    new: { tokens: n },
    firstDivergentToken: null,
    reusablePrefixTokens: n,
    recomputedTokens: 0,
    divergence: null,
    providers,
    findings,
    problems: { old: prompt.problems, new: prompt.problems },
  };
}
