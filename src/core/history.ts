// History of one prompt file: the cache effect of each consecutive pair of versions, and which regions churn most.
// Versions come from a VersionSource (git: ./versions/git.ts). Speed on long histories of large prompts comes from
// (1) reading every version through one git process, a few versions ahead of the audit, never all at once, and
// (2) tokenizing each version once: consecutive versions share most of their text, so the tokens of the previous
// version are carried over by an IncrementalTokenizer edit of the changed middle (common prefix and suffix kept).
// Each pair then goes through the same auditVersions as a fresh diff, with those tokens: the numbers are the same.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { auditVersions, extractOptions, resolveEncoding, type AuditOptions } from './audit';
import { tokenizePieces } from './divergence';
import { getEncoder, type Encoder, type EncodingName, type TokenizedText } from './encodings';
import { extractPrompt } from './formats';
import { IncrementalTokenizer } from './tokenizer/incremental';
import type { ChurnRegion, Divergence, ExtractedPrompt, HistoryEntry, HistoryResult, LineChurn, PromptVersion, SkippedVersion } from './types';
import { GitVersionSource, type GitOptions, type GitVersionRef } from './versions/git';
import { decodeVersionText, UnreadableVersionError } from './versions/index';

export { GitError, type GitErrorCode } from './versions/git';

export interface HistoryOptions extends Omit<AuditOptions, 'fileName' | 'oldFileName'>, GitOptions {
  /** At most this many most recent versions (commits). */
  max?: number;
  /** Add the working copy as a last version when it differs from the newest commit. */
  includeWorkingTree?: boolean;
  /** Run the lint rules on the newest version only (what SARIF output reports); `lint` runs them on every pair. */
  lintNewest?: boolean;
}

/** The `commit` of the working-copy pseudo-version. */
export const WORKING_TREE = 'WORKING-TREE';

/** Versions read ahead of the one being audited (git decodes the next while we tokenize this one). */
const READ_AHEAD = 3;

/** A version as the history consumes it: its text, or why it cannot be used. */
export type HistoryInput = { version: PromptVersion; text: string } | { version: PromptVersion; unreadable: string };

function promptVersion(ref: GitVersionRef): PromptVersion {
  const v: PromptVersion = { commit: ref.commit, date: ref.date, subject: ref.subject, path: ref.path, parents: ref.parents };
  if (ref.blob === null) v.deleted = true;
  return v;
}

/** Every version of a file in git, diffed against the one before it (oldest first). */
export async function fileHistory(file: string, options: HistoryOptions = {}): Promise<HistoryResult> {
  const source = new GitVersionSource(file, options);
  try {
    const refs = await source.list({ max: options.max, signal: options.signal });
    const listing = source.listing!;
    async function* inputs(): AsyncGenerator<HistoryInput> {
      // Reads are issued a few versions ahead; each settles into a value, so none rejects unobserved.
      const read = (ref: GitVersionRef): Promise<HistoryInput | { error: unknown }> =>
        source.read(ref).then(
          (v) => ({ version: promptVersion(ref), text: v.text }),
          (e: unknown) => (e instanceof UnreadableVersionError ? { version: promptVersion(ref), unreadable: e.message } : { error: e }),
        );
      const ahead: Promise<HistoryInput | { error: unknown }>[] = [];
      let issued = 0;
      while (issued < refs.length || ahead.length) {
        while (issued < refs.length && ahead.length <= READ_AHEAD) ahead.push(read(refs[issued++]));
        const next = await ahead.shift()!;
        if ('error' in next) throw next.error;
        yield next;
      }
      if (options.includeWorkingTree && existsSync(file) && statSync(file).isFile()) {
        const version: PromptVersion = { commit: WORKING_TREE, date: statSync(file).mtime.toISOString(), subject: '(uncommitted changes)', path: refs[refs.length - 1].path };
        try {
          yield { version, text: decodeVersionText(readFileSync(file), file) };
        } catch (e) {
          if (!(e instanceof UnreadableVersionError)) throw e;
          yield { version, unreadable: e.message };
        }
      }
    }
    const result = await historyOf(file, inputs(), options);
    if (listing.truncatedAt) result.truncated = { reason: 'shallow-clone', oldestCommit: listing.truncatedAt };
    else if (listing.limited) result.truncated = { reason: 'max', oldestCommit: refs[0].commit };
    return result;
  } finally {
    source.close();
  }
}

/**
 * The history of any sequence of versions (oldest first): each readable version diffed against the readable one
 * before it. The working-copy pseudo-version (WORKING_TREE) is dropped when it equals the version before it.
 */
export async function historyOf(file: string, inputs: AsyncIterable<HistoryInput> | Iterable<HistoryInput>, options: HistoryOptions = {}): Promise<HistoryResult> {
  const sequence = new VersionSequence(options);
  const churn = new ChurnCounter();
  const lines = new LineChurnTracker();
  const versions: PromptVersion[] = [];
  const skipped: SkippedVersion[] = [];
  const diffs: HistoryEntry[] = [];
  // The lint rules of the newest pair run once the end is known: the previous pair is held back one step.
  let held: { previous: Version; current: Version; version: PromptVersion; previousCommit: string } | undefined;
  let last: { version: PromptVersion; text: string } | undefined;
  const flush = (lint: boolean) => {
    if (!held) return;
    const d = sequence.audit(held.previous, held.current, lint);
    const entry: HistoryEntry = { ...d, ...held.version, previousCommit: held.previousCommit };
    diffs.push(entry);
    churn.add(entry.divergence, held.current.source);
    held = undefined;
  };
  for await (const input of inputs) {
    if ('unreadable' in input) {
      skipped.push({ ...input.version, reason: input.unreadable });
      continue;
    }
    if (input.version.commit === WORKING_TREE && last && last.text === input.text) continue;
    const current = sequence.version(input.text, input.version.path);
    versions.push(input.version);
    lines.push(input.text);
    if (last) {
      flush(lintPair(options, false));
      held = { previous: sequence.previous!, current, version: input.version, previousCommit: last.version.commit };
    }
    sequence.advance(current);
    last = { version: input.version, text: input.text };
  }
  flush(lintPair(options, true));
  const result: HistoryResult = { file, versions, diffs, churn: churn.regions(), lineChurn: lines.result() };
  if (skipped.length) result.skipped = skipped;
  return result;
}

function lintPair(options: HistoryOptions, newest: boolean): boolean {
  return options.lintNewest ? newest : options.lint !== false;
}

// ---- Tokenizing each version once ----------------------------------------------------------------------------------

interface Version {
  source: string;
  fileName: string;
  prompt: ExtractedPrompt;
  tokens: TokenizedText;
}

/** Only the edit itself is re-tokenized unless it replaces more than this share of the text (then: from scratch). */
const REBUILD_SHARE = 0.6;

/**
 * Renders and tokenizes a sequence of versions, carrying tokens over from one version to the next: plain texts
 * through one IncrementalTokenizer (one edit per version: the changed middle between the common prefix and
 * suffix); texts cut at hard boundaries (chat-template pieces) piece by piece, unchanged pieces reused.
 */
class VersionSequence {
  private readonly encoding: EncodingName;
  private readonly encoder: Encoder;
  private tokenizer: IncrementalTokenizer | undefined;
  private tokenizerText = '';
  private pieces = new Map<string, TokenizedText>();
  previous: Version | undefined;

  constructor(private readonly options: HistoryOptions) {
    this.encoding = resolveEncoding(options).encoding;
    this.encoder = getEncoder(this.encoding);
  }

  version(source: string, fileName: string): Version {
    const prompt = extractPrompt(source, fileName, extractOptions({ ...this.options, fileName }));
    return { source, fileName, prompt, tokens: this.tokenize(prompt) };
  }

  advance(v: Version): void {
    this.previous = v;
  }

  audit(previous: Version, current: Version, lint: boolean) {
    const options: AuditOptions = { ...this.options, fileName: current.fileName, oldFileName: previous.fileName, lint };
    return auditVersions(previous.source, current.source, options, { oldPrompt: previous.prompt, newPrompt: current.prompt, oldTokens: previous.tokens, newTokens: current.tokens }).result;
  }

  private tokenize(prompt: ExtractedPrompt): TokenizedText {
    const text = prompt.text;
    const cuts = (prompt.hardBoundaries ?? []).filter((b) => b > 0 && b < text.length);
    if (cuts.length) return this.tokenizeInPieces(text, prompt.hardBoundaries ?? []);
    const t = this.tokenizer;
    const old = this.tokenizerText;
    if (t && old !== text) {
      const p = commonPrefixLength(old, text);
      const s = commonSuffixLength(old, text, Math.min(old.length, text.length) - p);
      const inserted = text.length - p - s;
      if (inserted > REBUILD_SHARE * text.length) this.tokenizer = undefined;
      else t.applyEdit(p, old.length - p - s, text.slice(p, text.length - s));
    }
    this.tokenizer ??= new IncrementalTokenizer(this.encoder, text);
    this.tokenizerText = text;
    // Copies: the tokenizer's arrays are views that the next version's edit overwrites.
    return { ids: this.tokenizer.ids.slice(), starts: this.tokenizer.starts.slice() };
  }

  /** tokenizePieces with the previous version's pieces reused when their text is unchanged. */
  private tokenizeInPieces(text: string, boundaries: number[]): TokenizedText {
    const before = this.pieces;
    const now = new Map<string, TokenizedText>();
    const cached: Encoder = {
      name: this.encoder.name,
      encode: (s) => this.encoder.encode(s),
      decode: (ids) => this.encoder.decode(ids),
      tokenBytes: (id) => this.encoder.tokenBytes(id),
      tokenize: (s) => {
        const t = now.get(s) ?? before.get(s) ?? this.encoder.tokenize(s);
        now.set(s, t);
        return t;
      },
    };
    const t = tokenizePieces(cached, text, boundaries);
    this.pieces = now;
    return t;
  }
}

/** Blocks compared as strings (one native comparison each) before the char-by-char search inside one. */
const COMPARE_BLOCK = 2048;

/** Length of the common prefix of two strings. */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p + COMPARE_BLOCK <= n && a.slice(p, p + COMPARE_BLOCK) === b.slice(p, p + COMPARE_BLOCK)) p += COMPARE_BLOCK;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/** Length of the common suffix of two strings, at most `limit`. */
export function commonSuffixLength(a: string, b: string, limit: number): number {
  let s = 0;
  while (s + COMPARE_BLOCK <= limit && a.slice(a.length - s - COMPARE_BLOCK, a.length - s) === b.slice(b.length - s - COMPARE_BLOCK, b.length - s)) s += COMPARE_BLOCK;
  while (s < limit && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return s;
}

// ---- Where versions diverge -------------------------------------------------------------------------------------

class ChurnCounter {
  private readonly by = new Map<string, ChurnRegion>();

  add(divergence: Divergence | null, newSource: string): void {
    if (!divergence) return;
    const region = divergence.segment ?? `line ${divergence.line}`;
    const lineText = lineAt(newSource, divergence.offset - (divergence.column - 1)).trim();
    const r = this.by.get(region) ?? { region, firstDivergenceCount: 0, excerpt: '' };
    r.firstDivergenceCount++;
    r.excerpt = lineText.length > 80 ? `${lineText.slice(0, 77)}…` : lineText;
    this.by.set(region, r);
  }

  regions(): ChurnRegion[] {
    return [...this.by.values()].sort((a, b) => b.firstDivergenceCount - a.firstDivergenceCount || a.region.localeCompare(b.region));
  }
}

/** The line that starts at `start` (up to the next line break). */
function lineAt(text: string, start: number): string {
  let end = start;
  while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
  return text.slice(Math.max(0, start), end);
}

/**
 * Carries a per-line change count from version to version along a line diff: matched lines keep their
 * count; new lines get 1 + the highest count of the old lines they replaced (the unmatched old lines in the
 * same gap), so repeated edits of one region add up even as lines move.
 */
export function lineChurnOf(contents: string[]): LineChurn[] {
  const t = new LineChurnTracker();
  for (const c of contents) t.push(c);
  return t.result();
}

/** Splits text into lines the way LineIndex counts them (\n, \r\n, lone \r), with each line's start offset. */
function splitLines(text: string, offset: number, starts: number[]): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  let at = offset;
  for (let i = 0; i < lines.length; i++) {
    starts.push(at);
    at += lines[i].length;
    at += text.charCodeAt(at - offset) === 13 && text.charCodeAt(at - offset + 1) === 10 ? 2 : 1;
  }
  return lines;
}

/** The index of the line holding `offset` (starts ascending, starts[0] = 0). */
function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * lineChurnOf one version at a time. Only the lines around the changed middle (between the common prefix and
 * suffix of the two texts) are split and matched: the lines outside it are the same strings in both versions, and
 * a line diff matches them one to one, so the result is that of matching the whole files.
 */
class LineChurnTracker {
  private text = '';
  private lines: string[] | undefined;
  private starts: number[] = [];
  private counts: number[] = [];

  push(text: string): void {
    const old = this.text;
    this.text = text;
    if (!this.lines) {
      this.starts = [];
      this.lines = splitLines(text, 0, this.starts);
      this.counts = new Array<number>(this.lines.length).fill(0);
      return;
    }
    if (old === text) return;
    const p = commonPrefixLength(old, text);
    const s = commonSuffixLength(old, text, Math.min(old.length, text.length) - p);
    const { lines, starts, counts } = this;
    // Old lines [la, lb] hold the change, with one line of margin on each side so that a line break next to the
    // change (\r then \n) lies in text both versions share.
    const la = Math.max(0, lineOf(starts, p) - 1);
    const lb = Math.min(lines.length - 1, lineOf(starts, old.length - s) + 1);
    const oldEnd = lb + 1 < lines.length ? starts[lb + 1] : old.length;
    const delta = text.length - old.length;
    const regionStarts: number[] = [];
    const region = splitLines(text.slice(starts[la], oldEnd + delta), starts[la], regionStarts);
    if (lb + 1 < lines.length) {
      region.pop(); // the region ends just after a line break: the last piece is the start of line lb + 1
      regionStarts.pop();
    }
    const regionCounts = nextCounts(lines.slice(la, lb + 1), counts.slice(la, lb + 1), region);
    for (let i = lb + 1; i < starts.length; i++) starts[i] += delta;
    this.lines = replaceRange(lines, la, lb + 1 - la, region);
    this.starts = replaceRange(starts, la, lb + 1 - la, regionStarts);
    this.counts = replaceRange(counts, la, lb + 1 - la, regionCounts);
  }

  result(): LineChurn[] {
    const lines = this.lines ?? [];
    return lines
      .map((text, i) => ({ line: i + 1, text: text.length > 80 ? `${text.slice(0, 77)}…` : text, changedInVersions: this.counts[i] }))
      .filter((l) => l.changedInVersions > 0 && l.text.trim() !== '')
      .sort((a, b) => b.changedInVersions - a.changedInVersions || a.line - b.line);
  }
}

/** `arr` with `count` items at `from` replaced by `items` (in place when few: spreading many would overflow the stack). */
function replaceRange<T>(arr: T[], from: number, count: number, items: T[]): T[] {
  if (items.length <= 4096) {
    arr.splice(from, count, ...items);
    return arr;
  }
  return arr.slice(0, from).concat(items, arr.slice(from + count));
}

/** The change counts of `lines` after a line diff against `prevLines` (with `counts`). */
function nextCounts(prevLines: string[], counts: number[], lines: string[]): number[] {
  const match = matchLines(prevLines, lines);
  const next = new Array<number>(lines.length);
  let oi = 0; // next old line not yet consumed
  let i = 0;
  while (i < lines.length) {
    if (match[i] >= 0) {
      next[i] = counts[match[i]];
      oi = match[i] + 1;
      i++;
      continue;
    }
    // A gap of new lines: it replaced the old lines up to the next matched old line.
    let j = i;
    while (j < lines.length && match[j] < 0) j++;
    const oldEnd = j < lines.length ? match[j] : prevLines.length;
    let highest = 0;
    for (let k = oi; k < oldEnd; k++) highest = Math.max(highest, counts[k]);
    const bump = 1 + highest;
    for (let k = i; k < j; k++) next[k] = bump;
    i = j;
  }
  return next;
}

/** For each new line, the index of the old line it matches (LCS of lines), or -1. */
function matchLines(a: string[], b: string[]): number[] {
  const match = new Array<number>(b.length).fill(-1);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) match[pre] = pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) {
    match[b.length - 1 - suf] = a.length - 1 - suf;
    suf++;
  }
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  // Quadratic LCS on the changed middle only; very large rewrites are treated as one replaced block.
  if (n === 0 || m === 0 || n * m > 4_000_000) return match;
  const dp = new Uint32Array((n + 1) * (m + 1));
  const W = m + 1;
  for (let x = n - 1; x >= 0; x--) {
    for (let y = m - 1; y >= 0; y--) {
      dp[x * W + y] = a[pre + x] === b[pre + y] ? dp[(x + 1) * W + y + 1] + 1 : Math.max(dp[(x + 1) * W + y], dp[x * W + y + 1]);
    }
  }
  let x = 0;
  let y = 0;
  while (x < n && y < m) {
    if (a[pre + x] === b[pre + y]) {
      match[pre + y] = pre + x;
      x++;
      y++;
    } else if (dp[(x + 1) * W + y] >= dp[x * W + y + 1]) x++;
    else y++;
  }
  return match;
}

// ---- What a reader of the history should know -------------------------------------------------------------------

const short = (commit: string) => (commit === WORKING_TREE ? 'the working copy' : commit.slice(0, 8));

/** One line each: truncation, merges (which parent), deletions, versions left out. The CLI and the panel show them. */
export function historyNotes(h: HistoryResult): string[] {
  const notes: string[] = [];
  if (h.truncated?.reason === 'shallow-clone') {
    notes.push(`History is truncated: this is a shallow clone, and ${short(h.truncated.oldestCommit)} is the oldest commit it holds (\`git fetch --unshallow\` brings the older versions).`);
  } else if (h.truncated?.reason === 'max') {
    notes.push(`Only the ${h.versions.length} most recent versions: older ones are not shown.`);
  }
  const merges = h.diffs.filter((d) => (d.parents?.length ?? 0) > 1);
  if (merges.length === 1) notes.push(`${short(merges[0].commit)} is a merge: compared with its first parent ${short(merges[0].parents![0])} (the branch it was merged into).`);
  else if (merges.length > 1) notes.push(`${merges.length} merge commits (${merges.slice(0, 3).map((d) => short(d.commit)).join(', ')}${merges.length > 3 ? ', …' : ''}): each compared with its first parent (the branch it was merged into).`);
  for (const d of h.diffs) if (d.deleted) notes.push(`${short(d.commit)} deleted the file: an empty version; the version after it starts from an empty cache.`);
  for (const s of h.skipped ?? []) notes.push(`${s.reason}: left out (the versions around it are compared).`);
  return notes;
}
