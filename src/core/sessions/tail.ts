// Following a session log as the agent writes it: each update reads only the bytes appended since the last one, feeds
// the complete lines to the importer chosen from the file's first lines, and keeps an unfinished last line for the
// next update. A file that shrank or was replaced is read again from the start. What comes out is the live figure the
// status bar shows: the share of prompt tokens read from cache so far, and when the last call's cache entry expires.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ImportContext, LogImporter, RecordReader } from './importer';
import { IMPORTERS } from './importers';
import { chooseImporter, sniffInput } from './read';
import { entryLifetime, type CacheLifetime } from './rules';
import type { ImportedSession, ReportedUsage } from './types';
import type { ProviderId } from '../ids';

export interface LiveSessionStatus {
  file: string;
  source: string;
  calls: number;
  promptTokens: number;
  cacheReadTokens: number;
  /** cacheRead / prompt over the calls so far; null before the first call with usage. */
  hitRatio: number | null;
  /** The last call with usage: what its cache entry holds and how long it lives. */
  last: {
    id: string;
    /** Epoch ms of the call (the log's timestamp); null when the log has none. */
    time: number | null;
    provider?: ProviderId;
    model?: string;
    lifetime: CacheLifetime;
    /** Epoch ms the entry expires without a hit; null when the time or the lifetime is unknown. */
    expiresAt: number | null;
    /** Tokens the next call would read from that entry (what a resume after expiry writes again). */
    entryTokens: number;
  } | null;
}

/** Lines above this are skipped (a runaway line must not exhaust memory): as the full reader's default. */
const MAX_LINE_BYTES = 256 * 1024 * 1024;
/** One read takes at most this much; a bigger backlog is read over several reads of one update. */
const READ_CHUNK = 8 * 1024 * 1024;

export class SessionTail {
  private offset = 0;
  private ino = -1;
  private lineNo = 0;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private skipping = false;
  private reader: RecordReader | null = null;
  private session: ImportedSession;
  /** Bytes read from the file over this tail's life (a test checks that an update reads only what was appended). */
  bytesRead = 0;
  problems = 0;
  unsupported: string | null = null;

  constructor(
    readonly file: string,
    private readonly importers: readonly LogImporter[] = IMPORTERS,
  ) {
    this.session = this.fresh();
  }

  private fresh(): ImportedSession {
    return { file: this.file, source: 'unknown', calls: [], problems: [] };
  }

  private reset(): void {
    this.offset = 0;
    this.lineNo = 0;
    this.partial = [];
    this.partialBytes = 0;
    this.skipping = false;
    this.reader = null;
    this.unsupported = null;
    this.session = this.fresh();
  }

  /** Reads what was appended since the last update. Returns the bytes read (0: nothing new). */
  async update(): Promise<number> {
    let st: import('node:fs').Stats;
    try {
      st = await fs.stat(this.file);
    } catch {
      return 0;
    }
    if (st.ino !== this.ino || st.size < this.offset) {
      // Replaced or truncated: what was read no longer describes the file.
      if (this.ino !== -1) this.reset();
      this.ino = st.ino;
    }
    if (st.size === this.offset || this.unsupported) return 0;
    const h = await fs.open(this.file, 'r');
    let total = 0;
    try {
      while (this.offset < st.size) {
        const n = Math.min(READ_CHUNK, st.size - this.offset);
        const buf = Buffer.allocUnsafe(n);
        const { bytesRead } = await h.read(buf, 0, n, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        total += bytesRead;
        this.bytesRead += bytesRead;
        this.consume(buf.subarray(0, bytesRead));
        if (this.unsupported) break;
      }
    } finally {
      await h.close();
    }
    return total;
  }

  private consume(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      this.lineNo++;
      if (this.skipping || this.partialBytes + piece.length > MAX_LINE_BYTES) {
        this.skipping = false;
        this.partial = [];
        this.partialBytes = 0;
        this.problems++;
        continue;
      }
      const line = this.partial.length ? Buffer.concat([...this.partial, piece]) : piece;
      this.partial = [];
      this.partialBytes = 0;
      this.record(line.toString('utf8'));
      if (this.unsupported) return;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.partialBytes + rest.length > MAX_LINE_BYTES) {
        this.skipping = true;
        this.partial = [];
        this.partialBytes = 0;
      } else {
        // Copied: the chunk's buffer is not kept alive by a small unfinished line.
        this.partial.push(Buffer.from(rest));
        this.partialBytes += rest.length;
      }
    }
  }

  private record(text: string): void {
    const t = text.trim();
    if (!t) return;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      this.problems++;
      return;
    }
    if (!this.reader) {
      // The first complete line decides the format (the full reader sniffs the first 64 KB the same way).
      const chosen = chooseImporter(sniffInput(path.basename(this.file), Buffer.from(`${t}\n`)), this.importers);
      if (!chosen || chosen.importer.shape === 'document') {
        this.unsupported = chosen ? `${chosen.importer.label}: not a log that grows line by line` : 'not a session log this tool reads';
        return;
      }
      this.session.source = chosen.importer.id;
      const ctx: ImportContext = { file: this.file, session: this.session, problem: () => void this.problems++, unknown: () => {} };
      this.reader = chosen.importer.createReader(ctx);
    }
    this.reader.record(value, this.lineNo);
  }

  /** The live figures after the last update. */
  status(): LiveSessionStatus {
    const calls = this.session.calls;
    let prompt = 0;
    let read = 0;
    let last: (typeof calls)[number] | undefined;
    for (const c of calls) {
      if (!c.usage || c.sideRequest) continue;
      prompt += c.usage.promptTokens;
      read += c.usage.cacheReadTokens;
      if (!c.sidechain) last = c;
    }
    const out: LiveSessionStatus = { file: this.file, source: this.session.source, calls: calls.length, promptTokens: prompt, cacheReadTokens: read, hitRatio: prompt > 0 ? read / prompt : null, last: null };
    if (last?.usage) {
      const provider = last.provider ?? this.session.provider;
      const lifetime = entryLifetime(provider, last.model, last.usage);
      const time = last.timestamp ? Date.parse(last.timestamp) : NaN;
      out.last = {
        id: last.id,
        time: Number.isNaN(time) ? null : time,
        provider,
        model: last.model,
        lifetime,
        expiresAt: !Number.isNaN(time) && Number.isFinite(lifetime.seconds) ? time + lifetime.seconds * 1000 : null,
        entryTokens: entryTokensOf(last.usage),
      };
    }
    return out;
  }
}

/** What the entry of a call holds: Anthropic-style usage says it (read + written); OpenAI-style, the whole prompt. */
function entryTokensOf(u: ReportedUsage): number {
  return u.cacheWriteTokens > 0 || u.cacheReadTokens > 0 ? u.cacheReadTokens + u.cacheWriteTokens + (u.cacheWriteTokens > 0 ? 0 : u.inputTokens) : u.promptTokens;
}
