// Where earlier versions of a prompt come from. The product compares a prompt with what the provider would still
// hold in its cache; that earlier version is a git revision, the last save, or (for agent sessions and request
// logs) an earlier call of the same conversation, where each call is a version of the request. One interface,
// three implementations:
//   - git:        src/core/versions/git.ts         (commits that touched a file, oldest first; the one git adapter)
//   - saved:      src/core/versions/savedVersions.ts (the extension's last-save snapshots)
//   - requestLog: src/core/sessions/              (Claude Code / Codex sessions, HAR captures, JSONL request logs, OTLP spans)
// Consumers (history, the panel's history and session views, `trace`) list versions, read their text and hand it to
// the core's audit; none of them needs to know which source it came from.

import { looksBinary } from '../text';

export type VersionSourceKind = 'git' | 'saved' | 'requestLog';

/** One version, without its text (listing many is cheap; reading is separate). */
export interface VersionRef {
  /** Stable within its source: a commit hash, a snapshot key, a call's index or request id. */
  id: string;
  /** For people: "a1b2c3d Tighten the refund policy", "last save 14:02", "call 41 (claude-opus-4-6)". */
  label: string;
  /** ISO 8601, when the source knows it (commit date, save time, request time). */
  date?: string;
  /** File name that decides the format of the text (renames in git; `request.json`-like names for requests). */
  fileName: string;
}

export interface VersionText extends VersionRef {
  text: string;
}

export interface VersionSource<R extends VersionRef = VersionRef> {
  readonly kind: VersionSourceKind;
  /** Versions, oldest first. */
  list(options?: { max?: number; signal?: AbortSignal }): Promise<R[]>;
  /** The text of one listed version; rejects with a clear message when it cannot be read. */
  read(ref: R): Promise<VersionText>;
}

/** Why one version's text cannot be used; a history reports it and goes on with the other versions. */
export type UnreadableReason = 'binary' | 'invalid-utf8' | 'not-a-file';

export class UnreadableVersionError extends Error {
  constructor(
    message: string,
    readonly reason: UnreadableReason,
  ) {
    super(message);
    this.name = 'UnreadableVersionError';
  }
}

const BINARY = 'binary file, not a text prompt';
const INVALID_UTF8 = 'not valid UTF-8 text';

/**
 * A version's bytes as text, with the messages the CLI gives for a file on disk (`<label>: binary file, not a text
 * prompt`, `<label>: not valid UTF-8 text`). A BOM is kept: it is part of what may be sent.
 */
export function decodeVersionText(bytes: Uint8Array, label: string): string {
  if (looksBinary(bytes)) throw new UnreadableVersionError(`${label}: ${BINARY}`, 'binary');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UnreadableVersionError(`${label}: ${INVALID_UTF8}`, 'invalid-utf8');
  }
}
