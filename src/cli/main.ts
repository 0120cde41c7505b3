// The `prompt-cache-audit` command line: diff, history, lint (and measure, from measure.ts).
// All numbers come from src/core/audit.ts, the same entry point the extension uses.
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import fg from 'fast-glob';
import pkg from '../../package.json';
import { auditVersions, lintPrompt, type AuditOptions } from '../core/audit';
import { ENCODING_NAMES } from '../core/encodings';
import { SUPPORTED_EXTENSIONS, extractPrompt } from '../core/formats';
import { fileHistory, HistoryError, safeGit } from '../core/history';
import { CACHE_RULES, PROVIDER_IDS, minimumFor } from '../core/providers';
import { LineIndex } from '../core/text';
import type { DiffResult, LintFinding, ParseProblem } from '../core/types';
import { CliError, parseEncoding, parseNumber, parseProvider, readPromptFile } from './io';
import { formatDiff, formatFindings, formatHistory, makeStyle, table } from './output';
import { DIVERGENCE_RULE, PARSE_RULE, toSarif } from './sarif';
// The `measure` subcommand (local cached decoder) lives in measure.ts.
import { registerMeasureCommand } from './measure';

interface CommonFlags {
  encoding?: string;
  provider?: string;
  model?: string;
  raw?: boolean;
  json?: boolean;
  sarif?: boolean;
  price?: string;
  as?: string;
  ttl?: string;
}

function auditOptions(flags: CommonFlags, fileName: string): AuditOptions {
  return {
    fileName: flags.as ?? fileName,
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

function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--encoding <name>', `token encoding (${ENCODING_NAMES.join(', ')})`))
    .addOption(new Option('--provider <id>', `only this provider's cache rule (${PROVIDER_IDS.join(', ')})`))
    .option('--model <name>', 'model name (per-model minimums; picks the encoding for OpenAI models)')
    .option('--raw', "tokenize the file's text as is, whatever its format")
    .option('--as <filename>', 'detect the format from this file name instead (e.g. --as request.json)')
    .option('--price <usd>', 'input price in USD per million tokens (overrides dated defaults)')
    .option('--ttl <5m|1h>', 'Anthropic cache TTL for the write price (1.25× for 5m, 2× for 1h)')
    .option('--json', 'print JSON')
    .option('--sarif', 'print SARIF 2.1.0 (code scanning)');
}

function print(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}

/** Lightweight JSON view of a diff: the documented fields first, everything else kept. */
function diffJson(r: DiffResult): object {
  return { ...r, providers: r.providers.map((p) => ({ ...p })) };
}

function problemLines(file: string, source: string, problems: ParseProblem[]): string[] {
  const lines = new LineIndex(source);
  return problems.map((p) => {
    const at = lines.position(p.start);
    return `${file}:${at.line}:${at.column} ${p.severity}: ${p.message}`;
  });
}

// `<rev>:<path>` (e.g. HEAD~1:prompts/system.md) reads a committed version, as `git show` does.
const REV_SPEC = /^([^:]+):(.+)$/;

function revPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const m = REV_SPEC.exec(arg);
  return m ? m[2] : arg;
}

async function readVersion(arg: string): Promise<string> {
  const m = REV_SPEC.exec(arg);
  if (existsSync(arg) || !m || /^[A-Za-z]$/.test(m[1])) return readPromptFile(arg);
  const [, rev, file] = m;
  try {
    const root = (await safeGit(process.cwd()).raw(['rev-parse', '--show-toplevel'])).trim();
    const rel = path.relative(root, path.resolve(file)).split(path.sep).join('/');
    const text = await safeGit(root).show([`${rev}:${rel}`]);
    if (text.includes('\0')) throw new CliError(`${arg}: binary file, not a text prompt`);
    return text;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${arg}: no such file, and not a readable <git revision>:<path> (${firstLineOf((e as Error).message)})`);
  }
}

function firstLineOf(s: string): string {
  return (s ?? '').split('\n').find((l) => l.trim())?.replace(/^fatal: /, '').trim() ?? 'unknown error';
}

async function runDiff(oldFile: string, newFile: string, flags: CommonFlags & { failOver?: string }): Promise<void> {
  const failOver = parseNumber('--fail-over', flags.failOver, { min: 0, max: 100 });
  const options = auditOptions(flags, newFile);
  if (!flags.as) {
    options.fileName = revPath(newFile);
    options.oldFileName = revPath(oldFile);
  }
  const oldSource = await readVersion(oldFile);
  const newSource = await readVersion(newFile);
  const { result } = auditVersions(oldSource, newSource, options);
  if (flags.sarif) {
    const findings: LintFinding[] = [...result.findings];
    if (result.divergence) {
      const d = result.divergence;
      findings.unshift({
        ruleId: DIVERGENCE_RULE.id,
        severity: 'info',
        message: `Diverges from ${oldFile} at token ${result.firstDivergentToken}${d.segment ? ` (${d.segment})` : ''}: ${result.recomputedTokens} of ${result.new.tokens} tokens are recomputed.`,
        range: { start: { offset: d.offset, line: d.line, column: d.column }, end: { offset: d.offset, line: d.line, column: d.column } },
        tokensAtRisk: result.recomputedTokens,
      });
    }
    print(JSON.stringify(toSarif([{ file: newFile, findings }], pkg.version), null, 2));
  } else if (flags.json) {
    print(JSON.stringify(diffJson(result), null, 2));
  } else {
    print(formatDiff(result, { old: oldFile, new: newFile }, makeStyle(process.stdout)));
  }
  if (failOver !== undefined && result.new.tokens > 0 && (result.recomputedTokens / result.new.tokens) * 100 > failOver) {
    process.stderr.write(`prompt-cache-audit: ${((result.recomputedTokens / result.new.tokens) * 100).toFixed(1)}% of ${newFile} is recomputed (over --fail-over ${failOver}%)\n`);
    process.exitCode = 1;
  }
}

async function runHistory(file: string, flags: CommonFlags & { max?: string; failOver?: string; workingTree?: boolean }): Promise<void> {
  const max = parseNumber('--max', flags.max, { min: 1, integer: true });
  const failOver = parseNumber('--fail-over', flags.failOver, { min: 0, max: 100 });
  const base = auditOptions(flags, file);
  let h;
  try {
    h = await fileHistory(file, { ...base, max, lint: flags.sarif === true, includeWorkingTree: flags.workingTree });
  } catch (e) {
    if (e instanceof HistoryError) throw new CliError(e.message);
    throw e;
  }
  if (flags.json) {
    print(JSON.stringify(h.diffs.map(diffJson), null, 2));
  } else if (flags.sarif) {
    print(JSON.stringify(toSarif([{ file, findings: h.diffs.at(-1)?.findings ?? [] }], pkg.version), null, 2));
  } else {
    print(formatHistory(file, h.diffs, h.churn, makeStyle(process.stdout), h.lineChurn));
  }
  if (failOver !== undefined && h.diffs.some((d) => d.new.tokens > 0 && (d.recomputedTokens / d.new.tokens) * 100 > failOver)) process.exitCode = 1;
}

const SEVERITY_RANK = { info: 0, warning: 1, error: 2 } as const;

/** Files named or matched, and which of them a folder walk found (those may be skipped when not prompts). */
async function expandPatterns(patterns: string[]): Promise<{ files: string[]; walked: Set<string> }> {
  const files = new Set<string>();
  const walked = new Set<string>();
  for (const p of patterns) {
    if (existsSync(p) && statSync(p).isFile()) {
      files.add(p);
      continue;
    }
    let pattern = p;
    if (existsSync(p) && statSync(p).isDirectory()) {
      pattern = `${fg.convertPathToPattern(p).replace(/\/$/, '')}/**/*{${SUPPORTED_EXTENSIONS.join(',')}}`;
    }
    const isDir = existsSync(p) && statSync(p).isDirectory();
    const matched = await fg(pattern, { dot: false, onlyFiles: true, ignore: ['**/node_modules/**', '**/.git/**'] });
    if (matched.length === 0) throw new CliError(`${p}: no such file, and no files match it`);
    for (const m of matched.sort()) {
      files.add(m);
      if (isDir) walked.add(m);
    }
  }
  return { files: [...files], walked };
}

async function previousFromGit(file: string, ref: string): Promise<string | undefined> {
  const dir = path.dirname(path.resolve(file));
  try {
    const root = (await safeGit(dir).raw(['rev-parse', '--show-toplevel'])).trim();
    const rel = path.relative(root, path.resolve(file)).split(path.sep).join('/');
    return await safeGit(root).show([`${ref}:${rel}`]);
  } catch (e) {
    if (e instanceof HistoryError && e.code === 'git-missing') throw new CliError('--against: git is not installed (or not on PATH)');
    const msg = (e as Error).message;
    if (/not a git repository/i.test(msg)) throw new CliError(`--against: ${file} is not inside a git repository`);
    if (/ENOENT|spawn git/.test(msg)) throw new CliError('--against: git is not installed');
    if (/invalid object name|unknown revision|bad revision/i.test(msg)) throw new CliError(`--against: unknown git revision "${ref}"`);
    return undefined; // the file did not exist at that revision: nothing to drift from
  }
}

async function runLint(patterns: string[], flags: CommonFlags & { previous?: string; against?: string; failOn?: string }): Promise<void> {
  const failOn = flags.failOn ?? 'warning';
  if (!['error', 'warning', 'info', 'none'].includes(failOn)) throw new CliError(`--fail-on: expected error, warning, info or none, got "${failOn}"`);
  const { files, walked } = await expandPatterns(patterns);
  if (flags.previous && files.length !== 1) throw new CliError('--previous needs exactly one file to lint');
  const results: { file: string; findings: LintFinding[]; problems: ParseProblem[] }[] = [];
  const problemText: string[] = [];
  const sources = new Map<string, string>();
  for (const file of files) {
    const source = readPromptFile(file);
    const options = auditOptions(flags, file);
    const prompt = extractPrompt(source, options.fileName, { raw: options.raw });
    // A folder holds JSON that is not a request body (manifests, configs): linting those as prompts only raises
    // false alarms, so a walk keeps a JSON file only when it is one. A file named explicitly is always linted.
    if (walked.has(file) && prompt.format === 'json') continue;
    sources.set(file, source);
    const previous = flags.previous ? readPromptFile(flags.previous) : flags.against ? await previousFromGit(file, flags.against) : undefined;
    const findings = lintPrompt(source, options, previous);
    const problems = prompt.problems;
    problemText.push(...problemLines(file, source, problems));
    results.push({ file, findings, problems });
  }
  if (flags.sarif) {
    // Parse problems become results too, so code scanning shows why a file's counts are approximate.
    const withProblems = results.map((r) => {
      const source = sources.get(r.file) ?? '';
      const lines = new LineIndex(source);
      const problems: LintFinding[] = r.problems.map((p) => ({
        ruleId: PARSE_RULE.id,
        severity: p.severity,
        message: p.message,
        range: { start: lines.position(p.start), end: lines.position(p.end) },
        tokensAtRisk: 0,
      }));
      return { file: r.file, findings: [...problems, ...r.findings] };
    });
    print(JSON.stringify(toSarif(withProblems, pkg.version), null, 2));
  }
  else if (flags.json) print(JSON.stringify(results, null, 2));
  else {
    const st = makeStyle(process.stdout);
    const blocks = results.filter((r) => r.findings.length).map((r) => formatFindings(r.file, r.findings, st));
    for (const p of problemText) blocks.push(st.yellow(p));
    const total = results.reduce((n, r) => n + r.findings.length, 0);
    blocks.push(st.dim(`${results.length} file(s), ${total} finding(s)`));
    print(blocks.join('\n'));
  }
  if (failOn !== 'none') {
    const threshold = SEVERITY_RANK[failOn as keyof typeof SEVERITY_RANK];
    const fails = (sev: keyof typeof SEVERITY_RANK) => SEVERITY_RANK[sev] >= threshold;
    if (results.some((r) => r.findings.some((f) => fails(f.severity)) || r.problems.some((p) => fails(p.severity)))) process.exitCode = 1;
  }
}

function runRules(flags: { json?: boolean; model?: string }): void {
  if (flags.json) {
    print(JSON.stringify(Object.values(CACHE_RULES).map((r) => ({ ...r, models: r.models?.map((m) => ({ ...m, pattern: m.pattern.source })) })), null, 2));
    return;
  }
  const st = makeStyle(process.stdout);
  const rows = [[st.bold('provider'), st.bold('minimum'), st.bold('unit'), st.bold('rule'), st.bold('checked')]];
  for (const r of Object.values(CACHE_RULES)) {
    const min = minimumFor(r, flags.model);
    rows.push([r.id, `${min.tokens}${min.label ? ` (${min.label})` : ''}`, r.unit, r.summary, r.checked]);
  }
  print(table(rows));
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('prompt-cache-audit')
    .description('What each prompt edit costs the provider prefix (KV) cache: token-exact divergence, per-provider cache estimates, lint.')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`prompt-cache-audit: ${str.replace(/^error: /, '')}`) });

  addCommonOptions(
    program
      .command('diff')
      .description('compare two versions of a prompt file')
      .argument('<old>', 'previous version: a file, or <git revision>:<path> (e.g. HEAD:prompts/system.md)')
      .argument('<new>', 'new version: a file, or <git revision>:<path>'),
  )
    .option('--fail-over <percent>', 'exit 1 when the change recomputes more than this share of the new version')
    .action((oldFile: string, newFile: string, flags) => runDiff(oldFile, newFile, flags));

  addCommonOptions(program.command('history').description("every committed version of a file and each change's cache effect").argument('<file>', 'a file in a git repository'))
    .option('--max <n>', 'only the n most recent versions')
    .option('--working-tree', 'add the uncommitted working copy as the last version')
    .option('--fail-over <percent>', 'exit 1 when any change recomputes more than this share')
    .action((file: string, flags) => runHistory(file, flags));

  addCommonOptions(program.command('lint').description('find what makes prompts miss the cache').argument('<files...>', 'files, directories or globs'))
    .option('--previous <file>', 'the previous version, for drift rules (one file only)')
    .option('--against <git-ref>', 'compare each file with its version at this git revision, for drift rules')
    .option('--fail-on <severity>', 'exit 1 on findings of this severity or worse: error, warning, info, none', 'warning')
    .action((files: string[], flags) => runLint(files, flags));

  program
    .command('rules')
    .description('the provider cache rules in use (dated, sourced)')
    .option('--model <name>', 'show per-model minimums for this model')
    .option('--json', 'print JSON')
    .action((flags) => runRules(flags));

  registerMeasureCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `… | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end here with code 0; usage errors were already printed (one line).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      process.stderr.write(`prompt-cache-audit: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`prompt-cache-audit: ${err?.message ?? String(e)}\n`);
    if (process.env.PROMPT_CACHE_AUDIT_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
