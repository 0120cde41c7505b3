// Reading logs without holding them: a line splitter over a file stream (JSONL of any size), a bounded reader for
// whole-document formats (HAR, OTLP, exports), and the first bytes for content sniffing.
import { createReadStream, promises as fs } from 'node:fs';

export interface LineLimits {
  /** A longer line is skipped with a message (a runaway line must not exhaust memory). */
  maxLineBytes: number;
  /** Whole-document formats (a HAR file, an export) larger than this are refused with a message. */
  maxDocumentBytes: number;
}

export const DEFAULT_LIMITS: LineLimits = { maxLineBytes: 256 * 1024 * 1024, maxDocumentBytes: 512 * 1024 * 1024 };

export interface LogLine {
  /** 1-based. */
  line: number;
  text: string;
  /** The last line had no newline (a log cut off mid-write). */
  unterminated: boolean;
  /** The bytes were not valid UTF-8 (replacement characters stand in). */
  invalidUtf8: boolean;
}

export interface LineEvent {
  kind: 'tooLong';
  line: number;
  bytes: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decode(buf: Buffer): { text: string; invalid: boolean } {
  const text = buf.toString('utf8');
  // toString replaces bad sequences silently; confirm with a strict decoder only when a replacement char shows up.
  if (text.includes('\uFFFD')) {
    try {
      strictUtf8.decode(buf);
    } catch {
      return { text, invalid: true };
    }
  }
  return { text, invalid: false };
}

/**
 * Splits bytes into lines as they arrive, keeping an unfinished last line for the next chunk: the one splitter of the
 * full read (readLines) and of a live tail (./tail.ts). A line longer than `maxLineBytes` is skipped (reported with
 * its number and size) without being held in memory. `onLine` gets the line's bytes without the `\n`; they may point
 * into the chunk, so it must read them before returning.
 */
export class LineSplitter {
  /** Lines seen so far (skipped ones included): the 1-based number of the last one. */
  line = 0;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (bytes: Buffer, line: number) => void,
    private readonly onTooLong: (line: number, bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.line++;
      const bytes = this.partBytes + nl - start;
      if (this.skipping || bytes > this.maxLineBytes) {
        this.onTooLong(this.line, bytes);
      } else {
        const piece = chunk.subarray(start, nl);
        this.onLine(this.parts.length ? Buffer.concat([...this.parts, piece]) : piece, this.line);
      }
      this.skipping = false;
      this.parts = [];
      this.partBytes = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partBytes += rest.length;
      if (this.skipping) return;
      if (this.partBytes > this.maxLineBytes) {
        this.skipping = true;
        this.parts = [];
      } else {
        // Copied: the chunk's buffer is neither reused under us nor kept alive by a small unfinished line.
        this.parts.push(Buffer.from(rest));
      }
    }
  }

  /** End of the input: the last line when it had no newline (a log cut off mid-write), or null. */
  end(): Buffer | null {
    const { skipping, parts, partBytes } = this;
    this.skipping = false;
    this.parts = [];
    this.partBytes = 0;
    if (skipping) {
      this.onTooLong(++this.line, partBytes);
      return null;
    }
    if (!parts.length) return null;
    this.line++;
    return Buffer.concat(parts);
  }
}

/** Lines of a file, streamed (never the whole file in memory). CRLF endings are accepted. */
export async function* readLines(file: string, limits: LineLimits = DEFAULT_LIMITS, onEvent?: (e: LineEvent) => void, signal?: AbortSignal, onBytes?: (bytes: number) => void): AsyncGenerator<LogLine> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let ready: LogLine[] = [];
  const toLine = (buf: Buffer, line: number, unterminated: boolean): LogLine | null => {
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13) end--;
    if (end === 0 && unterminated) return null;
    const { text, invalid } = decode(end === buf.length ? buf : buf.subarray(0, end));
    return { line, text, unterminated, invalidUtf8: invalid };
  };
  const splitter = new LineSplitter(
    limits.maxLineBytes,
    (buf, line) => ready.push(toLine(buf, line, false)!),
    (line, bytes) => onEvent?.({ kind: 'tooLong', line, bytes }),
  );
  try {
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) return;
      bytes += chunk.length;
      onBytes?.(bytes);
      splitter.push(chunk);
      const lines = ready;
      ready = [];
      yield* lines;
    }
    const last = splitter.end();
    const l = last && toLine(last, splitter.line, true);
    if (l) yield l;
  } finally {
    stream.destroy();
  }
}

/** The first bytes of a file, for sniffing its format. */
export async function readHead(file: string, bytes = 64 * 1024): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A whole document (HAR, OTLP JSON, an export) as text; null + the reason when it is too large. */
export async function readDocument(file: string, size: number, limits: LineLimits = DEFAULT_LIMITS): Promise<{ text: string; invalidUtf8: boolean } | { tooLarge: true }> {
  if (size > limits.maxDocumentBytes) return { tooLarge: true };
  const buf = await fs.readFile(file);
  const { text, invalid } = decode(buf);
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, invalidUtf8: invalid };
}
