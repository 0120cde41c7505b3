// What the subcommands share: the common flags, how they become audit options, reading a version (a file or
// <rev>:<path>), printing.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import type { AuditOptions } from '../core/audit';
import { diskReader } from '../core/formats/includes';
import { ENCODING_NAMES } from '../core/encodings';
import { hasProvider, PROVIDER_IDS, RulesFileError, useRulesFile } from '../core/providers';
import type { ProviderId } from '../core/types';
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
  rules?: string;
}

/** Puts `--rules <file>` in force (before anything reads a rule); a bad file is a clear error naming the field. */
export function applyRulesOption(file: string | undefined): void {
  try {
    useRulesFile(file ? path.resolve(file) : undefined);
  } catch (e) {
    if (e instanceof RulesFileError) throw new CliError(`--rules ${e.message}`);
    throw e;
  }
}

/** A built-in provider id, or one that the rules file in force adds. */
export function parseProviderWithRules(v: string | undefined): ProviderId | undefined {
  if (v !== undefined && !PROVIDER_IDS.includes(v as ProviderId) && hasProvider(v)) return v as ProviderId;
  return parseProvider(v);
}

export function auditOptions(flags: CommonFlags, fileName: string): AuditOptions {
  applyRulesOption(flags.rules);
  const ttl = parseTtl(flags.ttl);
  // Templates read their includes, partials and vars files under the root (default: the current folder).
  const root = path.resolve(flags.root ?? process.cwd());
  const options: AuditOptions = {
    fileName: flags.as ?? path.resolve(fileName),
    root,
    readFile: diskReader(root),
    deploymentVariables: (flags.deploymentVar ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
    encoding: parseEncoding(flags.encoding),
    provider: parseProviderWithRules(flags.provider),
    model: flags.model,
    raw: flags.raw,
    pricePerMTok: parseNumber('--price', flags.price, { min: 0 }),
    ttl1h: ttl === undefined ? undefined : ttl === '1h',
  };
  if (ttl !== undefined) options.cacheTtl = ttl;
  return options;
}

const TTL_OPTION = /^\d+(m|h)$/;

function parseTtl(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (TTL_OPTION.test(v)) return v;
  throw new CliError(`--ttl: expected a TTL option such as 5m, 1h, 30m or 12h, got "${v}"`);
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--encoding <name>', `token encoding (${ENCODING_NAMES.join(', ')})`))
    .addOption(new Option('--provider <id>', `only this provider's cache rule (${PROVIDER_IDS.join(', ')})`))
    .option('--model <name>', 'model name (per-model minimums; picks the encoding for OpenAI models)')
    .option('--raw', "tokenize the file's text as is, whatever its format")
    .option('--as <filename>', 'detect the format from this file name instead (e.g. --as request.json)')
    .option('--price <usd>', 'input price in USD per million tokens (overrides dated defaults)')
    .option('--ttl <option>', 'cache TTL whose write price applies (Anthropic 5m 1.25×, 1h 2×; OpenAI GPT-5.6+ 30m 1.25×, 12h 2.5×)')
    .option('--rules <file>', 'a rules file (JSON, rules.schema.json) that overrides or adds provider cache rules')
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
