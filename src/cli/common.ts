// What the subcommands share: the common flags, how they become audit options, reading a version (a file or
// <rev>:<path>), printing.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import type { AuditOptions } from '../core/audit';
import { diskReader } from '../core/formats/includes';
import { ENCODING_NAMES } from '../core/encodings';
import { PROVIDER_IDS } from '../core/providers';
import { LineIndex } from '../core/text';
import type { DiffResult, ParseProblem } from '../core/types';
import { versionAt } from '../core/versions/git';
import { UnreadableVersionError } from '../core/versions/index';
import { CliError, parseEncoding, parseNumber, parseProvider, readPromptFile } from './io';

export interface CommonFlags {
  encoding?: string;
  provider?: string;
  model?: string;
  raw?: boolean;
  json?: boolean;
  sarif?: boolean;
  price?: string;
  as?: string;
  ttl?: string;
  deploymentVar?: string[];
  root?: string;
}

export function auditOptions(flags: CommonFlags, fileName: string): AuditOptions {
  // Templates read their includes, partials and vars files under the root (default: the current folder).
  const root = path.resolve(flags.root ?? process.cwd());
  return {
    fileName: flags.as ?? path.resolve(fileName),
    root,
    readFile: diskReader(root),
    deploymentVariables: (flags.deploymentVar ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
    encoding: parseEncoding(flags.encoding),
    provider: parseProvider(flags.provider),
    model: flags.model,
    raw: flags.raw,
    pricePerMTok: parseNumber('--price', flags.price, { min: 0 }),
    ttl1h: parseTtl(flags.ttl),
  };
}

function parseTtl(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === '5m' || v === '1h') return v === '1h';
  throw new CliError(`--ttl: expected 5m or 1h, got "${v}"`);
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--encoding <name>', `token encoding (${ENCODING_NAMES.join(', ')})`))
    .addOption(new Option('--provider <id>', `only this provider's cache rule (${PROVIDER_IDS.join(', ')})`))
    .option('--model <name>', 'model name (per-model minimums; picks the encoding for OpenAI models)')
    .option('--raw', "tokenize the file's text as is, whatever its format")
    .option('--as <filename>', 'detect the format from this file name instead (e.g. --as request.json)')
    .option('--price <usd>', 'input price in USD per million tokens (overrides dated defaults)')
    .option('--ttl <5m|1h>', 'Anthropic cache TTL for the write price (1.25× for 5m, 2× for 1h)')
    .option('--deployment-var <names...>', 'template variables fixed per deployment (they do not end the cacheable prefix)')
    .option('--root <dir>', 'workspace root: template includes, partials and vars files are read only under it (default: .)')
    .option('--json', 'print JSON')
    .option('--sarif', 'print SARIF 2.1.0 (code scanning)');
}

export function print(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}

/** Lightweight JSON view of a diff: the documented fields first, everything else kept. */
export function diffJson(r: DiffResult): object {
  return { ...r, providers: r.providers.map((p) => ({ ...p })) };
}

export function problemLines(file: string, source: string, problems: ParseProblem[]): string[] {
  const lines = new LineIndex(source);
  return problems.map((p) => {
    const at = lines.position(p.start);
    return `${file}:${at.line}:${at.column} ${p.severity}: ${p.message}`;
  });
}

// `<rev>:<path>` (e.g. HEAD~1:prompts/system.md) reads a committed version, as `git show` does.
const REV_SPEC = /^([^:]+):(.+)$/;

export function revPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const m = REV_SPEC.exec(arg);
  return m ? m[2] : arg;
}

export async function readVersion(arg: string): Promise<string> {
  const m = REV_SPEC.exec(arg);
  if (existsSync(arg) || !m || /^[A-Za-z]$/.test(m[1])) return readPromptFile(arg);
  const [, rev, file] = m;
  const unreadable = (reason: string) => new CliError(`${arg}: no such file, and not a readable <git revision>:<path> (${reason})`);
  let v;
  try {
    v = await versionAt(path.resolve(file), rev);
  } catch (e) {
    // Binary or invalid UTF-8 at that revision: the message a file on disk gets, naming <revision>:<path>.
    if (e instanceof UnreadableVersionError) throw new CliError(e.message);
    throw unreadable(e instanceof Error ? e.message : String(e));
  }
  if (!v) throw unreadable(`${file} does not exist at ${rev}`);
  return v.text;
}
