// `prompt-cache-audit rules`: the provider cache rules in use, with their sources and dates.
import type { Command } from 'commander';
import { CACHE_RULES, minimumFor } from '../core/providers';
import { print } from './common';
import { makeStyle, table } from './output';

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

export function registerRulesCommand(program: Command): void {
  program
    .command('rules')
    .description('the provider cache rules in use (dated, sourced)')
    .option('--model <name>', 'show per-model minimums for this model')
    .option('--json', 'print JSON')
    .action((flags) => runRules(flags));
}
