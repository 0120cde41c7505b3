// The rule explanations as Markdown, generated from the rule files: the lint section of docs/rules.md and the
// whole of media/rules.md (the extension links each diagnostic to its heading). `npm run build` writes both
// (scripts/gen-rules-docs.mjs); a unit test fails when the committed files are stale.
import type { LintRuleInfo } from './helper';

export const DOCS_BEGIN = '<!-- BEGIN GENERATED: lint rules (src/core/lint/rules/*.ts; `npm run build` rewrites this section) -->';
export const DOCS_END = '<!-- END GENERATED: lint rules -->';

function block(r: LintRuleInfo, level: string, withDetails: boolean): string {
  const parts = [`${level} ${r.id}`, '', `**${r.title}** (default severity: ${r.defaultSeverity})`, '', r.explanation];
  if (withDetails && r.details) parts.push('', r.details);
  parts.push('', `Evidence: ${r.evidence}`);
  return parts.join('\n');
}

/** The generated lint section of docs/rules.md (between the markers). */
export function renderDocsSection(rules: readonly LintRuleInfo[]): string {
  return [DOCS_BEGIN, '## Lint rules', '', ...rules.map((r) => `${block(r, '###', true)}\n`), DOCS_END].join('\n');
}

/** docs/rules.md with its generated section replaced (the rest of the page is written by hand). */
export function renderDocsPage(current: string, rules: readonly LintRuleInfo[]): string {
  const start = current.indexOf(DOCS_BEGIN);
  const end = current.indexOf(DOCS_END);
  if (start < 0 || end < start) throw new Error(`docs/rules.md: the markers ${DOCS_BEGIN} … ${DOCS_END} are missing`);
  return current.slice(0, start) + renderDocsSection(rules) + current.slice(end + DOCS_END.length);
}

/** media/rules.md: every diagnostic the extension shows, under its id (the link's fragment). */
export function renderMediaRules(rules: readonly LintRuleInfo[], others: readonly LintRuleInfo[]): string {
  const head = [
    '<!-- Generated from src/core/lint/rules/*.ts by `npm run build`: do not edit. -->',
    '# Prompt Cache Auditor: rules',
    '',
    'Each diagnostic from Prompt Cache links here. Providers reuse keys/values only for the exact token prefix shared with an earlier request: one changed token invalidates everything after it.',
  ].join('\n');
  const divergence = others.filter((o) => o.id === 'cache-divergence');
  return `${[head, ...[...divergence, ...rules].map((r) => block(r, '##', false))].join('\n\n')}\n`;
}
