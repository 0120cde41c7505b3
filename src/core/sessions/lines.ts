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

/** Lines of a file, streamed (never the whole file in memory). CRLF endings are accepted. */
export async function* readLines(file: string, limits: LineLimits = DEFAULT_LIMITS, onEvent?: (e: LineEvent) => void, signal?: AbortSignal, onBytes?: (bytes: number) => void): AsyncGenerator<LogLine> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let skipping = false;
  let line = 0;
  const emit = (buf: Buffer, unterminated: boolean): LogLine | null => {
    line++;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13) end--;
    if (end === 0 && unterminated) return null;
    const { text, invalid } = decode(end === buf.length ? buf : buf.subarray(0, end));
    return { line, text, unterminated, invalidUtf8: invalid };
  };
  try {
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) return;
      bytes += chunk.length;
      onBytes?.(bytes);
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        if (nl < 0) break;
        if (skipping) {
          skipping = false;
          line++;
          onEvent?.({ kind: 'tooLong', line, bytes: partBytes + nl - start });
          parts = [];
          partBytes = 0;
        } else if (partBytes + nl - start > limits.maxLineBytes) {
          line++;
          onEvent?.({ kind: 'tooLong', line, bytes: partBytes + nl - start });
          parts = [];
          partBytes = 0;
        } else {
          const piece = chunk.subarray(start, nl);
          const buf = parts.length ? Buffer.concat([...parts, piece]) : piece;
          parts = [];
          partBytes = 0;
          const l = emit(buf, false);
          if (l) yield l;
        }
        start = nl + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        partBytes += rest.length;
        if (skipping) continue;
        if (partBytes > limits.maxLineBytes) {
          skipping = true;
          parts = [];
        } else {
          // Copy: the stream may reuse its buffer.
          parts.push(Buffer.from(rest));
        }
      }
    }
    if (skipping) {
      line++;
      onEvent?.({ kind: 'tooLong', line, bytes: partBytes });
    } else if (parts.length) {
      const l = emit(Buffer.concat(parts), true);
      if (l) yield l;
    }
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
