// `prompt-cache-audit lint <files|dirs|globs…>`: what makes prompts miss the cache, as text, JSON or SARIF.
// Folder walks take the prompt-file globs the extension uses (src/core/promptFiles.ts). A file that cannot be read
// (permissions, binary, invalid UTF-8) is reported and the walk goes on. Files in git are linted with their earlier
// versions, so a literal that keeps changing is known to be volatile: read for all files in one git walk per
// repository (readFileHistories), as Audit Workspace reads them.
// Exit codes: 0 clean; 1 findings at or above --fail-on; 2 usage error or nothing could be linted; 3 some files could
// not be read (listed; the others were linted and reported).
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import fg from 'fast-glob';
import pkg from '../../package.json';
import { extractOptions, lintPromptReport, type AuditOptions } from '../core/audit';
import { extractPrompt } from '../core/formats';
import { WHOLE_PROMPT_MARK } from '../core/lint';
import { providerMinimum } from '../core/lint/helper';
import { formatCount } from '../core/numbers';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, isPromptPath } from '../core/promptFiles';
import { LineIndex } from '../core/text';
import type { ExtractedPrompt, LintFinding, ParseProblem, ProviderId } from '../core/types';
import { DEFAULT_HISTORY_MAX, readFileHistories, versionsAt } from '../core/versions/git';
import { addCommonOptions, auditOptions, print, problemLines, type CommonFlags } from './common';
import { CliError, parseNumber, readPromptFile } from './io';
import { formatFindings, makeStyle } from './output';
import { PARSE_RULE, repositoryRoot, toSarif } from './sarif';

const SEVERITY_RANK = { info: 0, warning: 1, error: 2 } as const;

/** Exit code when some files could not be read (the rest were linted). */
export const EXIT_UNREADABLE = 3;

interface LintFlags extends CommonFlags {
  previous?: string;
  against?: string;
  failOn?: string;
  history?: boolean;
  historyMax?: string;
  wholePrompt?: boolean;
}

interface FileResult {
  file: string;
  findings: LintFinding[];
  problems: ParseProblem[];
  /** The cacheable prefix and whether the file is a whole request (JSON output; the summary uses it). */
  prefix?: { tokens: number; whole: boolean };
  /** Why the file could not be linted (then findings and problems are empty). */
  error?: string;
}

/** Files named or matched, and which of them a folder walk found (those may be skipped when not prompts). */
async function expandPatterns(patterns: string[]): Promise<{ files: string[]; walked: Set<string> }> {
  const files = new Set<string>();
  const walked = new Set<string>();
  for (const p of patterns) {
    const st = existsSync(p) ? statSync(p) : undefined;
    if (st && !st.isDirectory()) {
      files.add(p); // a file named explicitly (even an unreadable one: it is reported, not dropped)
      continue;
    }
    if (st?.isDirectory()) {
      // The defaults of promptCache.include/exclude, matched relative to the folder; dot-directories are entered.
      const base = fg.convertPathToPattern(p).replace(/\/$/, '');
      const all = await fg(`${base}/**/*`, { dot: true, onlyFiles: true, suppressErrors: true, followSymbolicLinks: false, ignore: ['**/node_modules/**', '**/.git/**'] });
      // Relative to the repository (as the extension matches workspace-relative paths), so `prompts/` counts.
      const root = repositoryRoot(p);
      const relTo = existsSync(path.join(root, '.git')) ? root : process.cwd();
      const rel = (m: string) => path.relative(relTo, path.resolve(m)).split(path.sep).join('/');
      const matched = all.filter((m) => isPromptPath(rel(m), { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE })).sort();
      if (matched.length === 0) throw new CliError(`${p}: no prompt files in this folder (looked for ${DEFAULT_INCLUDE.join(', ')}); name files or a glob to lint others`);
      for (const m of matched) {
        files.add(m);
        walked.add(m);
      }
      continue;
    }
    const matched = await fg(p, { dot: true, onlyFiles: true, suppressErrors: true, ignore: ['**/node_modules/**', '**/.git/**'] });
    if (matched.length === 0) throw new CliError(`${p}: no such file, and no files match it`);
    for (const m of matched.sort()) files.add(m);
  }
  return { files: [...files], walked };
}

/** Each file at `ref` (undefined where it did not exist: nothing to drift from), one git reader per repository. */
async function previousFromGit(files: string[], ref: string): Promise<Map<string, string | undefined>> {
  try {
    const at = await versionsAt(files, ref);
    return new Map(files.map((f) => [f, at.get(f)?.text]));
  } catch (e) {
    // One line that tells the cases apart: git not installed, not a repository, unknown revision, git failed, binary.
    throw new CliError(`--against: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readError(e: unknown): string {
  const msg = (e as Error).message ?? String(e);
  return msg.replace(/^.*?: /, '');
}

async function runLint(patterns: string[], flags: LintFlags): Promise<void> {
  const failOn = flags.failOn ?? 'warning';
  if (!['error', 'warning', 'info', 'none'].includes(failOn)) throw new CliError(`--fail-on: expected error, warning, info or none, got "${failOn}"`);
  const historyMax = parseNumber('--history-max', flags.historyMax, { min: 1, integer: true }) ?? DEFAULT_HISTORY_MAX;
  const { files, walked } = await expandPatterns(patterns);
  if (flags.previous && files.length !== 1) throw new CliError('--previous needs exactly one file to lint');
  const previousSource = flags.previous ? readPromptFile(flags.previous) : undefined;
  const results: FileResult[] = [];
  const problemText: string[] = [];
  const sources = new Map<string, string>();
  let provider: ProviderId | undefined;
  let model: string | undefined;
  // Read and extract every file first, then read what git knows of all of them at once (one walk per repository,
  // the same read as Audit Workspace's), then lint each.
  const toLint: { file: string; source: string; options: AuditOptions; prompt: ExtractedPrompt; at: number }[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = readPromptFile(file);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      results.push({ file, findings: [], problems: [], error: readError(e) });
      continue;
    }
    const options = auditOptions(flags, file);
    provider = options.provider;
    model = options.model;
    const prompt = extractPrompt(source, options.fileName, extractOptions(options));
    // A folder holds JSON that is not a request body (manifests, configs): linting those as prompts only raises
    // false alarms, so a walk keeps a JSON file only when it is one. A file named explicitly is always linted.
    if (walked.has(file) && prompt.format === 'json') continue;
    sources.set(file, source);
    toLint.push({ file, source, options, prompt, at: results.length });
    results.push({ file, findings: [], problems: [] });
  }
  const names = toLint.map((f) => f.file);
  const against = previousSource === undefined && flags.against ? await previousFromGit(names, flags.against) : undefined;
  const histories = flags.history === false ? undefined : await readFileHistories(names, { max: historyMax });
  for (const { file, source, options, prompt, at } of toLint) {
    const previous = previousSource ?? against?.get(file);
    // The rendering made above is the one lint reads (a template is rendered by its engine once, not twice).
    const report = lintPromptReport(source, options, { previousSource: previous, history: histories?.get(file) ?? (histories ? [] : undefined), wholePrompt: flags.wholePrompt }, { prompt });
    problemText.push(...problemLines(file, source, prompt.problems));
    results[at] = { file, findings: report.findings, problems: prompt.problems, prefix: { tokens: report.prefix.tokens, whole: report.prefix.whole } };
  }
  const linted = results.filter((r) => !r.error);
  const unreadable = results.filter((r) => r.error);
  if (linted.length === 0 && unreadable.length) {
    for (const r of unreadable.slice(0, -1)) process.stderr.write(`prompt-cache-audit: ${r.file}: ${r.error}\n`);
    const last = unreadable[unreadable.length - 1];
    throw new CliError(`${last.file}: ${last.error}`);
  }
  if (flags.sarif) {
    // Parse problems become results too, so code scanning shows why a file's counts are approximate.
    const withProblems = linted.map((r) => {
      const lines = new LineIndex(sources.get(r.file) ?? '');
      const problems: LintFinding[] = r.problems.map((p) => ({
        ruleId: PARSE_RULE.id,
        severity: p.severity,
        message: p.message,
        range: { start: lines.position(p.start), end: lines.position(p.end) },
        tokensAtRisk: 0,
      }));
      return { file: r.file, findings: [...problems, ...r.findings] };
    });
    print(JSON.stringify(toSarif(withProblems, pkg.version, { root: repositoryRoot(), errors: unreadable.map((r) => ({ file: r.file, reason: r.error! })) }), null, 2));
  } else if (flags.json) print(JSON.stringify(results, null, 2));
  else {
    const st = makeStyle(process.stdout);
    const blocks = linted.filter((r) => r.findings.length).map((r) => formatFindings(r.file, r.findings, st));
    for (const p of problemText) blocks.push(st.yellow(p));
    const total = linted.reduce((n, r) => n + r.findings.length, 0);
    const fragments = fragmentSummary(linted, provider, model);
    blocks.push(st.dim(`${linted.length} file(s), ${total} finding(s)${unreadable.length ? `, ${unreadable.length} file(s) not read` : ''}`));
    if (fragments) blocks.push(st.dim(fragments));
    print(blocks.join('\n'));
  }
  for (const r of unreadable) process.stderr.write(`prompt-cache-audit: ${r.file}: ${r.error} (not linted)\n`);
  if (failOn !== 'none') {
    const threshold = SEVERITY_RANK[failOn as keyof typeof SEVERITY_RANK];
    const fails = (sev: keyof typeof SEVERITY_RANK) => SEVERITY_RANK[sev] >= threshold;
    if (linted.some((r) => r.findings.some((f) => fails(f.severity)) || r.problems.some((p) => fails(p.severity)))) process.exitCode = 1;
  }
  // Results are incomplete: that says more than "findings" (and CI fails on it whatever --fail-on says).
  if (unreadable.length) process.exitCode = EXIT_UNREADABLE;
}

/**
 * The provider minimum, said once per run for fragments (instruction files, templates): they are sent inside a
 * larger request, so their own length says nothing about caching; below-minimum checks whole requests only.
 */
function fragmentSummary(results: FileResult[], provider: ProviderId | undefined, model: string | undefined): string | undefined {
  const min = provider ? providerMinimum(provider, model) : { tokens: 1024, name: 'OpenAI and most Anthropic models' };
  if (!min) return undefined;
  const short = results.filter((r) => r.prefix && !r.prefix.whole && r.prefix.tokens < min.tokens);
  if (short.length === 0) return undefined;
  return (
    `note: ${short.length} of ${results.length} file(s) are fragments with fewer than ${formatCount(min.tokens)} cacheable tokens of their own (the minimum of ${min.name}). ` +
    `That is fine when they are sent inside a larger request (instruction files, templates); a file that is the whole prompt is cached only above the minimum: mark it with front matter \`${WHOLE_PROMPT_MARK.key}: ${WHOLE_PROMPT_MARK.value}\` or lint it with --whole-prompt to check it.`
  );
}

export function registerLintCommand(program: Command): void {
  addCommonOptions(program.command('lint').description('find what makes prompts miss the cache').argument('<files...>', 'files, directories or globs'))
    .option('--previous <file>', 'the previous version, for drift rules (one file only)')
    .option('--against <git-ref>', 'compare each file with its version at this git revision, for drift rules')
    .option('--no-history', "do not read files' git history (a literal that changed across commits is volatile)")
    .option('--history-max <n>', 'read at most this many recent versions of each file from git (default 20)')
    .option('--whole-prompt', 'each file is a whole prompt, not a fragment of a larger request (checks the provider minimum)')
    .option('--fail-on <severity>', 'exit 1 on findings of this severity or worse: error, warning, info, none', 'warning')
    .addHelpText('after', '\nExit codes: 0 no findings at --fail-on, 1 findings, 2 usage error or nothing could be read, 3 some files could not be read (the rest were linted).')
    .action((files: string[], flags) => runLint(files, flags));
}
