// Following a session log as the agent writes it: each update reads only the bytes appended since the last one, feeds
// the complete lines to the importer chosen from the file's first lines, and keeps an unfinished last line for the
// next update. A file that shrank or was replaced is read again from the start. What comes out is the live figure the
// status bar shows: the share of prompt tokens read from cache so far, and when the last call's cache entry expires.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ImportContext, LogImporter, RecordReader } from './importer';
import { IMPORTERS } from './importers';
import { DEFAULT_LIMITS, LineSplitter } from './lines';
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

/** One read takes at most this much; a bigger backlog is read over several reads of one update. */
const READ_CHUNK = 8 * 1024 * 1024;

export class SessionTail {
  private offset = 0;
  private ino = -1;
  private lines = this.splitter();
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

  /** Lines as the full reader splits them (an unfinished last line waits for the next update). */
  private splitter(): LineSplitter {
    return new LineSplitter(
      DEFAULT_LIMITS.maxLineBytes,
      (bytes, line) => {
        if (!this.unsupported) this.record(bytes.toString('utf8'), line);
      },
      () => void this.problems++,
    );
  }

  private reset(): void {
    this.offset = 0;
    this.lines = this.splitter();
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
        this.lines.push(buf.subarray(0, bytesRead));
        if (this.unsupported) break;
      }
    } finally {
      await h.close();
    }
    return total;
  }

  private record(text: string, lineNo: number): void {
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
    this.reader.record(value, lineNo);
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
