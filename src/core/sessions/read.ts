// Reading one log file with the importer its content calls for: streaming for JSONL, bounded for whole documents; every
// bad line, truncated tail, unknown record or undecodable byte becomes a problem naming the file and line, and the
// rest of the file is still read.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ProviderId } from '../ids';
import { findJsonSyntaxError } from '../formats/jsonSyntax';
import { formatBytes } from '../numbers';
import { LineIndex, looksBinary } from '../text';
import type { ImportContext, LogImporter, SniffInput } from './importer';
import { IMPORTERS } from './importers';
import { DEFAULT_LIMITS, readDocument, readHead, readLines, type LineLimits } from './lines';
import type { ImportedSession, ProblemSeverity, SessionProblem } from './types';

export interface ReadOptions {
  provider?: ProviderId;
  limits?: Partial<LineLimits>;
  /** Importers to choose from (default: all of importers/index.ts). */
  importers?: readonly LogImporter[];
  signal?: AbortSignal;
  /** Bytes of the file read so far (JSONL logs, once per 1 MB chunk), for a progress bar. */
  onProgress?: (bytes: number, totalBytes: number) => void;
}

/** Problems of one kind are listed this many times, then counted. */
const MAX_PER_KIND = 5;

class Problems {
  readonly list: SessionProblem[] = [];
  private readonly counts = new Map<string, { n: number; first: SessionProblem }>();
  constructor(private readonly file: string) {}
  add(kind: string, line: number | undefined, severity: ProblemSeverity, message: string): void {
    const c = this.counts.get(kind);
    if (c) {
      c.n++;
      if (c.n <= MAX_PER_KIND) this.list.push({ file: this.file, line, severity, message });
      return;
    }
    const p: SessionProblem = { file: this.file, line, severity, message };
    this.counts.set(kind, { n: 1, first: p });
    this.list.push(p);
  }
  finish(): SessionProblem[] {
    for (const [kind, c] of this.counts) {
      if (c.n > MAX_PER_KIND) this.list.push({ file: this.file, severity: c.first.severity, message: `${c.n - MAX_PER_KIND} more lines like line ${c.first.line ?? '?'} (${kind})` });
    }
    return this.list;
  }
}

export function sniffInput(fileName: string, head: Buffer): SniffInput {
  const headText = head.toString('utf8').replace(/^\uFEFF/, '');
  const firstValues: unknown[] = [];
  const lines = headText.split('\n');
  // The last line of the head may be cut: only complete lines are tried.
  for (let i = 0; i < lines.length - 1 && firstValues.length < 40; i++) {
    const l = lines[i].trim();
    if (!l.startsWith('{')) continue;
    try {
      firstValues.push(JSON.parse(l));
    } catch {
      // not a complete JSON line
    }
  }
  if (lines.length === 1 || (firstValues.length === 0 && head.length < 64 * 1024)) {
    try {
      firstValues.push(JSON.parse(headText));
    } catch {
      // not one small JSON document
    }
  }
  return { fileName, headText, firstValues };
}

/** The importer whose sniff is most certain (ties: the first listed). */
export function chooseImporter(input: SniffInput, importers: readonly LogImporter[] = IMPORTERS): { importer: LogImporter; score: number } | null {
  let best: { importer: LogImporter; score: number } | null = null;
  for (const importer of importers) {
    const score = importer.sniff(input);
    if (score > 0 && (!best || score > best.score)) best = { importer, score };
  }
  return best;
}

/**
 * Claude Code writes a subagent to `<session>/subagents/agent-<id>.jsonl` (workflow agents one level deeper,
 * `<session>/subagents/workflows/<workflow>/agent-<id>.jsonl`, as daaain/claude-code-log's test data lays them out);
 * its parent is `<session>.jsonl`.
 */
async function parentOf(file: string): Promise<string | null> {
  let dir = path.dirname(file);
  if (path.basename(dir) !== 'subagents' && path.basename(path.dirname(path.dirname(dir))) === 'subagents' && path.basename(path.dirname(dir)) === 'workflows') dir = path.dirname(path.dirname(dir));
  if (path.basename(dir) !== 'subagents') return null;
  const sessionDir = path.dirname(dir);
  const candidate = `${sessionDir}.jsonl`;
  try {
    if ((await fs.stat(candidate)).isFile()) return candidate;
  } catch {
    // no main session file beside it
  }
  return null;
}

export async function readSessionFile(file: string, options: ReadOptions = {}): Promise<ImportedSession> {
  const limits: LineLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const problems = new Problems(file);
  const empty = (source = 'unknown'): ImportedSession => ({ file, source, calls: [], problems: problems.finish() });
  let size = 0;
  try {
    const st = await fs.stat(file);
    if (st.isDirectory()) {
      problems.add('io', undefined, 'error', 'is a directory');
      return empty();
    }
    if (!st.isFile()) {
      problems.add('io', undefined, 'error', 'not a regular file');
      return empty();
    }
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.add('io', undefined, 'error', code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${(e as Error).message})`);
    return empty();
  }
  const head = await readHead(file);
  if (head.length === 0) {
    problems.add('format', undefined, 'warning', 'empty file: no calls');
    return empty();
  }
  if (looksBinary(head)) {
    problems.add('format', undefined, 'error', `binary file (${formatBytes(size)}), not a session log or capture`);
    return empty();
  }
  const input = sniffInput(path.basename(file), head);
  const chosen = chooseImporter(input, options.importers);
  if (!chosen) {
    const known = knownUnread(input.headText);
    problems.add('format', undefined, 'error', known ?? `not a session log or capture this tool reads (${(options.importers ?? IMPORTERS).map((i) => i.label).join(', ')})`);
    return empty();
  }
  const { importer } = chosen;
  const session: ImportedSession = { file, source: importer.id, calls: [], problems: [], parent: await parentOf(file) };
  const unknownKinds = new Map<string, { n: number; line: number }>();
  const ctx: ImportContext = {
    file,
    session,
    providerHint: options.provider,
    problem: (line, severity, message) => problems.add(`${severity}:${message}`, line, severity, line ? `line ${line}: ${message}` : message),
    unknown: (kind, line) => {
      const k = unknownKinds.get(kind);
      if (k) k.n++;
      else unknownKinds.set(kind, { n: 1, line });
    },
  };
  const reader = importer.createReader(ctx);
  const firstLine = input.headText.split('\n', 1)[0].trim();
  const asLines = importer.shape === 'lines' || (importer.shape === 'auto' && firstLine.startsWith('{') && parses(firstLine));
  if (asLines) {
    let lastBad: { line: number; message: string } | null = null;
    for await (const l of readLines(file, limits, (e) => problems.add('tooLong', e.line, 'warning', `line ${e.line}: longer than ${formatBytes(limits.maxLineBytes)} (${formatBytes(e.bytes)}): skipped`), options.signal, options.onProgress && ((b) => options.onProgress!(b, size)))) {
      if (l.invalidUtf8) problems.add('utf8', l.line, 'warning', `line ${l.line}: not valid UTF-8 (read with replacement characters)`);
      const t = l.text.trim();
      if (!t) continue;
      let value: unknown;
      try {
        value = JSON.parse(t);
      } catch (e) {
        if (l.unterminated) {
          problems.add('truncated', l.line, 'warning', `line ${l.line}: the last line is cut off (the log was still being written?): ignored`);
        } else {
          lastBad = { line: l.line, message: (e as Error).message };
          problems.add('json', l.line, 'warning', `line ${l.line}: not valid JSON (${shortJsonError(lastBad.message)}): skipped`);
        }
        continue;
      }
      reader.record(value, l.line);
    }
  } else {
    const doc = await readDocument(file, size, limits);
    if ('tooLarge' in doc) {
      problems.add('size', undefined, 'error', `${formatBytes(size)}: larger than the ${formatBytes(limits.maxDocumentBytes)} a whole-document ${importer.label} may be; split it or raise the limit`);
    } else {
      if (doc.invalidUtf8) problems.add('utf8', undefined, 'warning', 'not valid UTF-8 (read with replacement characters)');
      try {
        reader.record(JSON.parse(doc.text), 0);
      } catch (e) {
        const found = findJsonSyntaxError(doc.text);
        const m = /position (\d+)/.exec((e as Error).message);
        const offset = found ? found.offset : m ? Number(m[1]) : null;
        const at = offset !== null ? new LineIndex(doc.text).position(offset) : null;
        problems.add('json', at?.line, 'error', `${at ? `line ${at.line}, column ${at.column}: ` : ''}not valid JSON (${found ? found.message : shortJsonError((e as Error).message)}); nothing read`);
      }
    }
  }
  reader.finish();
  for (const [kind, { n, line }] of unknownKinds) problems.add(`unknown:${kind}`, line, 'info', `${n === 1 ? `line ${line}` : `${n} lines (first: line ${line})`}: unknown record type "${kind}": ignored`);
  session.problems = [...problems.finish(), ...session.problems];
  if (session.calls.length === 0 && session.problems.every((p) => p.severity !== 'error')) session.problems.push({ file, severity: 'info', message: `read as a ${importer.label}, but no API call with usage in it` });
  return session;
}

/** Chat histories people point the tool at that hold the turns but not each call's usage: say what they are and what to use. */
function knownUnread(head: string): string | null {
  const h = head.slice(0, 8192);
  const instead = "it needs each call's token usage: use a capture of the API traffic (HAR), or for Copilot Chat in VS Code its exported prompt logs (*.chatreplay.json)";
  if (/"chatMessages"\s*:/.test(h) && /"timeline"\s*:/.test(head)) return `a GitHub Copilot CLI session history (chatMessages + timeline), which this tool does not read: ${instead}`;
  if (/"re(quest|spond)erUsername"\s*:/.test(h) && /"requests"\s*:/.test(head)) return `a VS Code chat session (requests[]), which this tool does not read: ${instead}`;
  return null;
}

function parses(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

function shortJsonError(m: string): string {
  // V8 quotes a snippet of the line; keep only its first words.
  return m.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*$/s, '').replace(/^Unexpected token '?(.)'?$/, 'unexpected "$1"').slice(0, 80);
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out']);
const CANDIDATE = /\.(jsonl|json|har|ndjson)$/i;

/** Files to read for the given files and folders: folders are searched for .jsonl, .json, .har (subagents too). */
export async function findSessionFiles(paths: readonly string[]): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      missing.push(dir);
      return;
    }
    // Files before folders: a Claude Code session comes before its <session>/subagents/.
    entries.sort((a, b) => Number(a.isDirectory()) - Number(b.isDirectory()) || a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(p);
      } else if (e.isFile() && CANDIDATE.test(e.name)) files.push(p);
    }
  };
  for (const p of paths) {
    try {
      const st = await fs.stat(p);
      if (st.isDirectory()) await walk(p);
      else files.push(p);
    } catch {
      missing.push(p);
    }
  }
  return { files, missing };
}

