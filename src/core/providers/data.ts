// The rule set in force: the built-in data (rules.json) plus, optionally, a user's rules file (--rules,
// promptCache.rulesFile) that overrides fields, adds model rows or adds providers without a release.
import { readFileSync } from 'node:fs';
import { lazyDeps } from '../lazy';
import builtIn from './rules.json';
import type { AppliedRule, ModelRow, ProviderRecord, RuleFields, RulesDocument, RulesOverrideDocument } from './types';

const BUILT_IN = builtIn as unknown as RulesDocument;
const FIELDS = ['minimumTokens', 'unit', 'readMultiplier', 'writeMultiplier', 'ttl', 'tokenizer', 'routing'] as const satisfies readonly (keyof RuleFields)[];
const REQUIRED_FOR_NEW = ['name', 'summary', 'minimumTokens', 'unit', 'readMultiplier', 'writeMultiplier', 'ttl', 'tokenizer'] as const;

/** A rules file that cannot be used; the message names the file and the field. */
export class RulesFileError extends Error {}

interface RuleSet {
  providers: ProviderRecord[];
  byId: Map<string, ProviderRecord>;
  /** The user's rules file, when one is in force. */
  file?: string;
}

function indexed(providers: ProviderRecord[], file?: string): RuleSet {
  return { providers, byId: new Map(providers.map((p) => [p.id, p])), file };
}

let active: RuleSet = indexed(BUILT_IN.providers);
const listeners: (() => void)[] = [];

/** The built-in document (rules.json), as shipped. */
export function builtInRules(): RulesDocument {
  return BUILT_IN;
}

/** All provider records in force (built-in ones first, then those a rules file added). */
export function activeProviders(): readonly ProviderRecord[] {
  return active.providers;
}

export function activeRulesFile(): string | undefined {
  return active.file;
}

export function providerRecord(id: string): ProviderRecord | undefined {
  return active.byId.get(id);
}

/** Called whenever the rule set changes (the legacy CACHE_RULES view refreshes itself). */
export function onRulesChanged(f: () => void): void {
  listeners.push(f);
}

/**
 * Puts a rules file in force (undefined: the built-in rules only). Throws RulesFileError, naming the file and the
 * field, when the file cannot be read or does not follow rules.schema.json; the rules in force are then unchanged.
 */
export function useRulesFile(file: string | undefined): void {
  if (file === active.file) return;
  active = file ? indexed(mergeRules(BUILT_IN.providers, readRulesFile(file), file), file) : indexed(BUILT_IN.providers);
  for (const f of listeners) f();
}

/** Same as useRulesFile, from an already parsed document (tests, callers with their own file reading). */
export function useRulesDocument(doc: RulesOverrideDocument | undefined, label = 'rules'): void {
  active = doc ? indexed(mergeRules(BUILT_IN.providers, checkOverride(doc, label), label), label) : indexed(BUILT_IN.providers);
  for (const f of listeners) f();
}

export function readRulesFile(file: string): RulesOverrideDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RulesFileError(`${file}: cannot read the rules file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new RulesFileError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return checkOverride(doc, file);
}

type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null };
let validators: { document: Validator; override: Validator } | undefined;

/** ajv validators for rules.schema.json, compiled on first use (only rules files and tests need them). */
export function schemaValidators(): { document: Validator; override: Validator } {
  if (!validators) {
    const { Ajv, rulesSchema } = lazyDeps();
    const schema = rulesSchema as { $id: string };
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(schema);
    validators = {
      document: ajv.getSchema(`${schema.$id}#/$defs/document`) as Validator,
      override: ajv.getSchema(`${schema.$id}#/$defs/overrideDocument`) as Validator,
    };
  }
  return validators;
}

/** `/providers/2/minimumTokens/value` → `providers[2] (acme).minimumTokens.value`. */
export function fieldPath(instancePath: string, doc: unknown): string {
  const parts = instancePath.split('/').slice(1);
  let out = '';
  let node: unknown = doc;
  for (const p of parts) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
    if (/^\d+$/.test(p)) {
      out += `[${p}]`;
      const id = node && typeof node === 'object' ? ((node as { id?: unknown; label?: unknown }).id ?? (node as { label?: unknown }).label) : undefined;
      if (typeof id === 'string') out += ` (${id})`;
    } else out += out ? `.${p}` : p;
  }
  return out || '(top level)';
}

/** Schema errors as lines naming the field; the most specific errors only (oneOf/allOf add summary lines). */
export function schemaErrors(v: Validator, doc: unknown): string[] {
  const errs = (v.errors ?? []).filter((e) => !/must match (exactly one|a schema in anyOf)|must match "then"/.test(e.message ?? ''));
  const lines = errs.map((e) => {
    const extra = e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : e.params && 'allowedValue' in e.params ? ` ${JSON.stringify(e.params.allowedValue)}` : '';
    return `${fieldPath(e.instancePath, doc)}: ${e.message ?? 'invalid'}${extra}`;
  });
  return [...new Set(lines)].slice(0, 8);
}

function checkOverride(doc: unknown, file: string): RulesOverrideDocument {
  const { override } = schemaValidators();
  if (!override(doc)) throw new RulesFileError(`${file}: does not follow the rules schema:\n  ${schemaErrors(override, doc).join('\n  ')}`);
  const d = doc as RulesOverrideDocument;
  d.providers.forEach((p, i) => {
    for (const [j, row] of (p.models ?? []).entries()) {
      try {
        new RegExp(row.match);
      } catch (e) {
        throw new RulesFileError(`${file}: providers[${i}] (${p.id}).models[${j}] (${row.label}).match: not a regular expression (${(e as Error).message})`);
      }
    }
  });
  return d;
}

/** Built-in records with a rules file's patches applied: fields replaced, model rows tried first, new providers added. */
export function mergeRules(base: readonly ProviderRecord[], override: RulesOverrideDocument, file: string): ProviderRecord[] {
  const out = base.map((p) => ({ ...p }));
  override.providers.forEach((patch, i) => {
    const existing = out.find((p) => p.id === patch.id);
    if (existing) {
      for (const f of FIELDS) if (patch[f]) (existing as unknown as Record<string, unknown>)[f] = patch[f];
      if (patch.name) existing.name = patch.name;
      if (patch.summary) existing.summary = patch.summary;
      if (patch.defaultModel) existing.defaultModel = patch.defaultModel;
      if (patch.priceProviders) existing.priceProviders = patch.priceProviders;
      if (patch.models) existing.models = [...patch.models, ...(existing.models ?? [])];
      return;
    }
    const missing = REQUIRED_FOR_NEW.filter((f) => patch[f] === undefined);
    if (missing.length) throw new RulesFileError(`${file}: providers[${i}] (${patch.id}): a new provider needs ${missing.join(', ')}`);
    out.push(patch as ProviderRecord);
  });
  return out;
}

/** The model-name key rows match against: lower case, dots turned into dashes (`claude-opus-4.5` → `claude-opus-4-5`). */
export function modelKey(model: string): string {
  return model.trim().toLowerCase().replace(/\./g, '-');
}

const regexCache = new Map<string, RegExp>();
function rowRegex(row: ModelRow): RegExp {
  let r = regexCache.get(row.match);
  if (!r) regexCache.set(row.match, (r = new RegExp(row.match)));
  return r;
}

/** The model row that applies to a model name (first match wins), if any. */
export function matchingRow(record: ProviderRecord, model: string | undefined): ModelRow | undefined {
  const m = model ?? record.defaultModel;
  if (!m) return undefined;
  const key = modelKey(m);
  return record.models?.find((row) => rowRegex(row).test(key));
}

/** The rule for a provider and model: the matching model row's fields over the provider's defaults. */
export function ruleFor(provider: string, model?: string): AppliedRule {
  const record = active.byId.get(provider);
  if (!record) throw new RulesFileError(`unknown provider "${provider}" (known: ${active.providers.map((p) => p.id).join(', ')})`);
  const row = matchingRow(record, model);
  const fields = {} as RuleFields;
  for (const f of FIELDS) {
    const v = row?.[f] ?? record[f];
    if (v !== undefined) (fields as unknown as Record<string, unknown>)[f] = v;
  }
  const applied: AppliedRule = {
    ...fields,
    provider: record.id,
    providerName: record.name,
    summary: record.summary,
    priceProviders: record.priceProviders ?? [],
  };
  const m = model ?? record.defaultModel;
  if (m) applied.model = m;
  if (row) applied.modelLabel = row.label;
  if (row?.priceModel) applied.priceModel = row.priceModel;
  return applied;
}
