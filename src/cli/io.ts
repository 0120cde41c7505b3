// File reading and option parsing for the CLI: every bad input becomes one clear CliError line.
import { readFileSync, statSync } from 'node:fs';
import { ENCODING_NAMES, isEncodingName, type EncodingName } from '../core/encodings';
import { isProviderId, PROVIDER_IDS } from '../core/providers';
import { looksBinary } from '../core/text';
import type { ProviderId } from '../core/types';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Reads a prompt file as UTF-8 text, keeping a BOM (it is part of what may be sent). */
export function readPromptFile(file: string): string {
  let buf: Buffer;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new CliError(`${file}: is a directory`);
    // A FIFO or device would block or never end: only regular files are prompts.
    if (!st.isFile()) throw new CliError(`${file}: not a regular file`);
    buf = readFileSync(file);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${file}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw new CliError(`${file}: permission denied`);
    throw new CliError(`${file}: cannot read (${(e as Error).message})`);
  }
  if (looksBinary(buf)) throw new CliError(`${file}: binary file, not a text prompt`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    throw new CliError(`${file}: not valid UTF-8 text`);
  }
}

export function parseEncoding(v: string | undefined): EncodingName | undefined {
  if (v === undefined) return undefined;
  if (!isEncodingName(v)) throw new CliError(`--encoding: unknown encoding "${v}" (one of ${ENCODING_NAMES.join(', ')})`);
  return v;
}

export function parseProvider(v: string | undefined): ProviderId | undefined {
  if (v === undefined) return undefined;
  const id = v.toLowerCase().replace(/[.\s-]/g, '') === 'llamacpp' ? 'llamacpp' : v.toLowerCase();
  if (!isProviderId(id)) throw new CliError(`--provider: unknown provider "${v}" (one of ${PROVIDER_IDS.join(', ')})`);
  return id;
}

export function parseNumber(flag: string, v: string | undefined, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const bad =
    v.trim() === '' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max);
  if (bad) {
    const range = opts.min !== undefined && opts.max !== undefined ? ` between ${opts.min} and ${opts.max}` : opts.min !== undefined ? ` ≥ ${opts.min}` : '';
    throw new CliError(`${flag}: expected ${opts.integer ? 'an integer' : 'a number'}${range}, got "${v}"`);
  }
  return n;
}
