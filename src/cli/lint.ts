// `prompt-cache-audit lint <files|dirs|globs…>`: what makes prompts miss the cache, as text, JSON or SARIF.
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import fg from 'fast-glob';
import pkg from '../../package.json';
import { lintPrompt } from '../core/audit';
import { extractPrompt, walkPromptFiles } from '../core/formats';
import { LineIndex } from '../core/text';
import { versionAt } from '../core/versions/git';
import type { LintFinding, ParseProblem } from '../core/types';
import { addCommonOptions, auditOptions, print, problemLines, type CommonFlags } from './common';
import { CliError, readPromptFile } from './io';
import { formatFindings, makeStyle } from './output';
import { PARSE_RULE, toSarif } from './sarif';

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
    const isDir = existsSync(p) && statSync(p).isDirectory();
    // A folder: every file a format claims, in the dot-directories agents keep prompts in too (.github, .cursor…).
    const matched = isDir ? walkPromptFiles(p) : await fg(p, { dot: false, onlyFiles: true, ignore: ['**/node_modules/**', '**/.git/**'] });
    if (matched.length === 0) throw new CliError(`${p}: no such file, and no files match it`);
    for (const m of matched.sort()) {
      files.add(m);
      if (isDir) walked.add(m);
    }
  }
  return { files: [...files], walked };
}

async function previousFromGit(file: string, ref: string): Promise<string | undefined> {
  try {
    return (await versionAt(file, ref))?.text; // undefined: the file did not exist at that revision, nothing to drift from
  } catch (e) {
    // One line that tells the cases apart: git not installed, not a repository, unknown revision, git failed, binary.
    throw new CliError(`--against: ${e instanceof Error ? e.message : String(e)}`);
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
    const prompt = extractPrompt(source, options.fileName, options);
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

export function registerLintCommand(program: Command): void {
  addCommonOptions(program.command('lint').description('find what makes prompts miss the cache').argument('<files...>', 'files, directories or globs'))
    .option('--previous <file>', 'the previous version, for drift rules (one file only)')
    .option('--against <git-ref>', 'compare each file with its version at this git revision, for drift rules')
    .option('--fail-on <severity>', 'exit 1 on findings of this severity or worse: error, warning, info, none', 'warning')
    .action((files: string[], flags) => runLint(files, flags));
}
