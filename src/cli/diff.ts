// `prompt-cache-audit diff <old> <new>`: where a new version leaves the cached prefix, per provider.
import type { Command } from 'commander';
import pkg from '../../package.json';
import { auditVersions } from '../core/audit';
import type { LintFinding } from '../core/types';
import { addCommonOptions, auditOptions, diffJson, print, readVersion, revPath, type CommonFlags } from './common';
import { parseNumber } from './io';
import { formatDiff, makeStyle } from './output';
import { DIVERGENCE_RULE, toSarif } from './sarif';

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

export function registerDiffCommand(program: Command): void {
  addCommonOptions(
    program
      .command('diff')
      .description('compare two versions of a prompt file')
      .argument('<old>', 'previous version: a file, or <git revision>:<path> (e.g. HEAD:prompts/system.md)')
      .argument('<new>', 'new version: a file, or <git revision>:<path>'),
  )
    .option('--fail-over <percent>', 'exit 1 when the change recomputes more than this share of the new version')
    .action((oldFile: string, newFile: string, flags) => runDiff(oldFile, newFile, flags));
}
