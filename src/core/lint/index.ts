// Lint rules: what makes a prompt miss the prefix cache. One file per rule under rules/, each exporting its info
// (id, title, severity, explanation, evidence) and its check; this registry lists them. The docs page
// (docs/rules.md), the in-product explanations (media/rules.md) and SARIF's rule table are generated from it.
import { cacheablePrefix, type CacheablePrefix } from './rules/below-minimum';
import { LintHelper, type LintContext, type LintRule, type LintRuleInfo } from './helper';
import type { LintFinding } from '../types';
import { rule as volatilePrefix } from './rules/volatile-prefix';
import { rule as placeholderBeforeStatic } from './rules/placeholder-before-static';
import { rule as belowMinimum } from './rules/below-minimum';
import { rule as lineEndingDrift } from './rules/line-ending-drift';
import { rule as bom } from './rules/bom';
import { rule as trailingWhitespaceDrift } from './rules/trailing-whitespace-drift';
import { rule as reorderedKeys } from './rules/reordered-keys';
import { rule as tooManyBreakpoints } from './rules/too-many-breakpoints';
import { rule as breakpointBeyondLookback } from './rules/breakpoint-beyond-lookback';

export type { HistoryVersion, LintContext, LintRule, LintRuleInfo } from './helper';
export type { CacheablePrefix } from './rules/below-minimum';
export { WHOLE_PROMPT_MARK } from './rules/below-minimum';

/** The registry, in the order the docs list them. Adding a rule: its file under rules/ and one line here. */
export const RULES: readonly LintRule[] = [
  volatilePrefix,
  placeholderBeforeStatic,
  belowMinimum,
  lineEndingDrift,
  bom,
  trailingWhitespaceDrift,
  reorderedKeys,
  tooManyBreakpoints,
  breakpointBeyondLookback,
];

/** Stable rule ids with their info (the extension links diagnostic codes to these; see docs/rules.md). */
export const LINT_RULES: readonly LintRuleInfo[] = RULES.map(({ check: _check, ...info }) => info);

/** Diagnostics that are not lint rules but are explained next to them (editor diagnostics, SARIF). */
export const OTHER_DIAGNOSTICS: readonly LintRuleInfo[] = [
  {
    id: 'cache-divergence',
    title: 'First token that differs from the baseline',
    defaultSeverity: 'info',
    explanation:
      'Marks the first token of this version that differs from the baseline (Git HEAD, the last save, or the revision you chose). Every token from here on is recomputed on each request until the cache is warm again; the message says how many, and the status bar tooltip applies the chosen provider\'s rule (minimum prefix, block size, breakpoints). Change the baseline with the `promptCache.baseline` setting or **Prompt Cache: Compare with Git Revision…**.',
    evidence: 'The two versions compared.',
  },
  {
    id: 'parse-problem',
    title: 'The prompt file could not be parsed as its format',
    defaultSeverity: 'error',
    explanation: 'Malformed JSON, YAML front matter or an unterminated template tag: the audit falls back to the raw text, so counts may not match what the model sees.',
    evidence: 'The parser\'s message and position.',
  },
];

export interface LintReport {
  findings: LintFinding[];
  /** How much of the prompt is cacheable and whether it is a whole request (for the run's summary). */
  prefix: CacheablePrefix;
}

/** Runs the rules (default: the registry) and returns findings in file order. */
export function lintReport(ctx: LintContext, rules: readonly LintRule[] = RULES): LintReport {
  const h = new LintHelper(ctx);
  const findings = rules.flatMap((r) => r.check(h));
  // A volatile placeholder is also "a placeholder before static text": keep the more specific finding (also when the
  // volatile finding is its label: "The user asked: {{ prompt }}").
  const volatile = findings.filter((f) => f.ruleId === 'volatile-prefix').map((f) => [f.range.start.offset, f.range.end.offset]);
  const kept = findings.filter((f) => !(f.ruleId === 'placeholder-before-static' && volatile.some(([a, b]) => f.range.start.offset < b && f.range.end.offset > a)));
  kept.sort((a, b) => a.range.start.offset - b.range.start.offset || a.ruleId.localeCompare(b.ruleId));
  return { findings: kept, prefix: cacheablePrefix(h) };
}

export function lintExtracted(ctx: LintContext, rules: readonly LintRule[] = RULES): LintFinding[] {
  return lintReport(ctx, rules).findings;
}
