// The importer interface: one module per log format under importers/, each a LogImporter listed in importers/index.ts.
// An importer says how sure it is that a file is its format (from the CONTENT; the name only breaks ties) and turns
// the file's records (JSONL lines, or one whole document) into calls. The driver (read.ts) does the reading,
// streaming and error reporting, so an importer never touches the file system.
import type { ProviderId } from '../ids';
import type { ImportedCall, ImportedSession, ProblemSeverity, SessionSourceKind } from './types';

export interface SniffInput {
  fileName: string;
  /** The first 64 KB, decoded. */
  headText: string;
  /** The first complete lines of the head that parse as JSON (JSONL formats sniff these). */
  firstValues: unknown[];
}

export interface ImportContext {
  readonly file: string;
  /** The session being filled: push calls, set parent/sessionId. */
  readonly session: ImportedSession;
  /** Provider to assume when the log does not say (`--provider`). */
  readonly providerHint?: ProviderId;
  problem(line: number | undefined, severity: ProblemSeverity, message: string): void;
  /** A record of a kind this importer does not know: reported once per kind, with a count, not once per line. */
  unknown(kind: string, line: number): void;
}

export interface RecordReader {
  /** One JSON value: a JSONL line (1-based `line`), or the whole document (`line` 0). */
  record(value: unknown, line: number): void;
  /** After the last record (also after a truncated file). */
  finish(): void;
}

export interface LogImporter {
  readonly id: SessionSourceKind;
  /** For people: "Claude Code session". */
  readonly label: string;
  /**
   * `lines`: JSONL, streamed line by line; `document`: one JSON document (bounded in size); `auto`: lines when the
   * file's first line is a complete JSON value, else a document (formats written both ways).
   */
  readonly shape: 'lines' | 'document' | 'auto';
  /** 0: not this format; higher: more certain (0.9+ for a format's own markers). */
  sniff(input: SniffInput): number;
  createReader(ctx: ImportContext): RecordReader;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Pushes a call, numbering it when the log gives no id. */
export function pushCall(session: ImportedSession, call: Omit<ImportedCall, 'id'> & { id?: string }): ImportedCall {
  const c: ImportedCall = { ...call, id: call.id ?? `call-${session.calls.length + 1}` };
  session.calls.push(c);
  return c;
}

/** ISO time from the many shapes logs use (ISO strings, epoch seconds/ms/ns, OTLP nanosecond strings). */
export function isoTime(v: unknown): string | undefined {
  if (typeof v === 'string') {
    if (/^\d{16,20}$/.test(v)) return new Date(Number(BigInt(v) / 1_000_000n)).toISOString();
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  if (typeof v === 'number' && Number.isFinite(v)) {
    const ms = v > 1e17 ? v / 1e6 : v > 1e14 ? v / 1e3 : v > 1e11 ? v : v * 1000;
    return new Date(ms).toISOString();
  }
  return undefined;
}
