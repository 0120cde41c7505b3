// `prompt-cache-audit rules`: the provider cache rules in force, per model, every field with its source and date.
//   rules                                   every provider, its fields and model rows (human)
//   rules --json                            every provider as JSON (records with their model rows)
//   rules --provider <id> [--model <name>]  the one rule that applies to that model (--json: one object)
import type { Command } from 'commander';
import { activeProviders, activeRulesFile, ruleFor, type AppliedRule, type ProviderRecord, type Sourced } from '../core/providers';
import { pricesFor } from '../core/providers/prices';
import { applyRulesOption, parseProviderWithRules, print } from './common';
import { CliError } from './io';
import { makeStyle, table, type Style } from './output';

const FIELD_NAMES = ['minimumTokens', 'unit', 'readMultiplier', 'writeMultiplier', 'ttl', 'tokenizer', 'routing'] as const;

interface RulesFlags {
  json?: boolean;
  model?: string;
  provider?: string;
  rules?: string;
}

/** The one rule for a provider and model, as `rules --provider --model --json` prints it. */
export function ruleJson(rule: AppliedRule): object {
  const prices = pricesFor(rule, 0);
  const fields: Record<string, Sourced<unknown>> = {};
  for (const f of FIELD_NAMES) if (rule[f]) fields[f] = rule[f] as Sourced<unknown>;
  const sources = [...new Set(Object.values(fields).map((f) => f.source))];
  const checked = Object.values(fields).map((f) => f.checked).sort().at(-1);
  const unverified = Object.entries(fields).filter(([, f]) => f.unverified).map(([k]) => k);
  return {
    provider: rule.provider,
    providerName: rule.providerName,
    model: rule.model ?? null,
    modelRow: rule.modelLabel ?? null,
    minimumTokens: rule.minimumTokens.value,
    unit: rule.unit.value,
    readMultiplier: rule.readMultiplier.value,
    writeMultiplier: rule.writeMultiplier.value,
    ttl: rule.ttl.value,
    tokenizer: rule.tokenizer.value,
    inputPerMTok: prices?.inputPerMTok ?? null,
    cacheReadPerMTok: prices?.cacheReadPerMTok ?? null,
    cacheWritePerMTok: prices?.cacheWritePerMTok ?? null,
    priceSource: prices?.priceSource ?? null,
    source: rule.minimumTokens.source,
    sources,
    checked,
    unverified,
    fields,
    summary: rule.summary,
  };
}

function providerJson(p: ProviderRecord): object {
  return { ...p, rule: ruleJson(ruleFor(p.id)) };
}

function valueText(field: string, v: unknown): string {
  if (field === 'unit' && v && typeof v === 'object') {
    const { kind, ...rest } = v as { kind: string };
    const params = Object.entries(rest).map(([k, x]) => `${k} ${String(x)}`).join(', ');
    return params ? `${kind} (${params})` : kind;
  }
  if (field === 'ttl' && v && typeof v === 'object') {
    const t = v as { options: string[]; default: string };
    return `${t.options.join(' | ')} (default ${t.default})`;
  }
  if (field === 'writeMultiplier' && v && typeof v === 'object') return Object.entries(v as Record<string, number>).map(([k, x]) => `${k}: ${x}×`).join(', ');
  if (field === 'readMultiplier' && typeof v === 'number') return `${v}×`;
  if (field === 'tokenizer' && v && typeof v === 'object') {
    const t = v as { kind: string; encoding: string; factor?: number };
    return `${t.kind} ${t.encoding}${t.factor ? ` (×${t.factor})` : ''}`;
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function fieldRows(fields: Partial<Record<(typeof FIELD_NAMES)[number], Sourced<unknown>>>, st: Style): string[][] {
  const rows: string[][] = [];
  for (const f of FIELD_NAMES) {
    const s = fields[f];
    if (!s) continue;
    rows.push([`  ${f}`, valueText(f, s.value), s.checked, s.unverified ? st.yellow('unverified') : 'verified', st.dim(s.source)]);
  }
  return rows;
}

function humanRule(rule: AppliedRule, st: Style): string {
  const prices = pricesFor(rule, 0);
  const out = [`${st.bold(rule.provider)} ${rule.providerName}${rule.model ? `, model ${rule.model}` : ''}${rule.modelLabel ? ` (row: ${rule.modelLabel})` : ' (provider defaults)'}`];
  out.push(table(fieldRows(rule, st)));
  out.push(
    prices
      ? `  price  input $${prices.inputPerMTok}/MTok, cache read ${prices.cacheReadPerMTok !== undefined ? `$${prices.cacheReadPerMTok}` : '–'}, cache write ${prices.cacheWritePerMTok !== undefined ? `$${prices.cacheWritePerMTok}` : '–'}  ${st.dim(prices.priceSource)}`
      : `  price  ${st.dim('not in the price package: pass --price')}`,
  );
  const notes = FIELD_NAMES.map((f) => rule[f] as Sourced<unknown> | undefined).filter((s): s is Sourced<unknown> => !!s?.note);
  for (const n of notes) out.push(st.dim(`  note: ${n.note}`));
  return out.join('\n');
}

function humanProvider(p: ProviderRecord, st: Style): string {
  const out = [`${st.bold(p.id)}  ${p.name}${p.defaultModel ? st.dim(`  (default model ${p.defaultModel})`) : ''}`, `  ${p.summary}`];
  out.push(table(fieldRows(p, st)));
  for (const row of p.models ?? []) {
    const set = FIELD_NAMES.filter((f) => row[f]);
    out.push(`  ${st.cyan(row.label)} ${st.dim(`/${row.match}/`)}`);
    out.push(table(fieldRows(Object.fromEntries(set.map((f) => [f, row[f]])), st).map((r) => ['  ' + r[0], ...r.slice(1)])));
  }
  return out.join('\n');
}

function runRules(flags: RulesFlags): void {
  applyRulesOption(flags.rules);
  const st = makeStyle(process.stdout);
  const provider = parseProviderWithRules(flags.provider);
  if (flags.model && !provider) throw new CliError('--model needs --provider (the same model name can follow different rules at different providers)');
  if (provider) {
    const rule = ruleFor(provider, flags.model);
    print(flags.json ? JSON.stringify(ruleJson(rule), null, 2) : humanRule(rule, st));
    return;
  }
  if (flags.json) {
    print(JSON.stringify(activeProviders().map(providerJson), null, 2));
    return;
  }
  const file = activeRulesFile();
  const head = file ? [st.dim(`rules file in force: ${file}`), ''] : [];
  print([...head, ...activeProviders().map((p) => humanProvider(p, st))].join('\n\n'));
}

export function registerRulesCommand(program: Command): void {
  program
    .command('rules')
    .description('the provider cache rules in force, per model, each field with its source and date')
    .option('--provider <id>', 'only this provider: print the rule that applies to --model (or the default model)')
    .option('--model <name>', 'with --provider: the model whose row applies')
    .option('--rules <file>', 'a rules file (JSON, rules.schema.json) that overrides or adds provider cache rules')
    .option('--json', 'print JSON')
    .action((flags: RulesFlags) => runRules(flags));
}
