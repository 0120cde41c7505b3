// `prompt-cache-audit history <file>`: every committed version of a file and what each change cost the cache.
import type { Command } from 'commander';
import pkg from '../../package.json';
import { fileHistory, GitError, historyNotes } from '../core/history';
import { addCommonOptions, auditOptions, diffJson, print, type CommonFlags } from './common';
import { CliError, parseNumber } from './io';
import { formatHistory, makeStyle } from './output';
import { toSarif } from './sarif';

async function runHistory(file: string, flags: CommonFlags & { max?: string; failOver?: string; workingTree?: boolean }): Promise<void> {
  const max = parseNumber('--max', flags.max, { min: 1, integer: true });
  const failOver = parseNumber('--fail-over', flags.failOver, { min: 0, max: 100 });
  const base = auditOptions(flags, file);
  let h;
  try {
    // Lint findings only matter for SARIF, which reports the newest version's.
    h = await fileHistory(file, { ...base, max, lint: false, lintNewest: flags.sarif === true, includeWorkingTree: flags.workingTree });
  } catch (e) {
    if (e instanceof GitError) throw new CliError(e.message);
    throw e;
  }
  const notes = historyNotes(h);
  if (flags.json || flags.sarif) {
    for (const n of notes) process.stderr.write(`prompt-cache-audit: note: ${n}\n`);
  }
  if (flags.json) {
    print(JSON.stringify(h.diffs.map(diffJson), null, 2));
  } else if (flags.sarif) {
    print(JSON.stringify(toSarif([{ file, findings: h.diffs.at(-1)?.findings ?? [] }], pkg.version), null, 2));
  } else {
    const st = makeStyle(process.stdout);
    const text = h.diffs.length === 0 && h.versions.length === 0 ? `${file}: no readable version in history` : formatHistory(file, h.diffs, h.churn, st, h.lineChurn);
    print([text, ...(notes.length ? ['', ...notes.map((n) => st.dim(`note: ${n}`))] : [])].join('\n'));
  }
  if (failOver !== undefined && h.diffs.some((d) => d.new.tokens > 0 && (d.recomputedTokens / d.new.tokens) * 100 > failOver)) process.exitCode = 1;
}

export function registerHistoryCommand(program: Command): void {
  addCommonOptions(program.command('history').description("every committed version of a file and each change's cache effect").argument('<file>', 'a file in a git repository'))
    .option('--max <n>', 'only the n most recent versions')
    .option('--working-tree', 'add the uncommitted working copy as the last version')
    .option('--fail-over <percent>', 'exit 1 when any change recomputes more than this share')
    .action((file: string, flags) => runHistory(file, flags));
}
