// `prompt-cache-audit history <file>`: every committed version of a file and what each change cost the cache.
import type { Command } from 'commander';
import pkg from '../../package.json';
import { fileHistory, HistoryError } from '../core/history';
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

export function registerHistoryCommand(program: Command): void {
  addCommonOptions(program.command('history').description("every committed version of a file and each change's cache effect").argument('<file>', 'a file in a git repository'))
    .option('--max <n>', 'only the n most recent versions')
    .option('--working-tree', 'add the uncommitted working copy as the last version')
    .option('--fail-over <percent>', 'exit 1 when any change recomputes more than this share')
    .action((file: string, flags) => runHistory(file, flags));
}
