// placeholder-before-static: the first placeholder that varies per request comes before a large static block.
import { count, moveLineFix, type LintRule } from '../helper';
import { mayVaryPerRequest, namedPerRequest } from '../perRequest';

/** Fewer static tokens than this after the placeholder: not worth moving it. */
const STATIC_AFTER_MIN_TOKENS = 256;

export const rule: LintRule = {
  id: 'placeholder-before-static',
  title: 'Template placeholder before a large static block',
  defaultSeverity: 'warning',
  explanation:
    "The first placeholder whose output varies per request ends the cacheable prefix: the static text after it is recomputed on every request. Put static instructions first and per-request values last. The fix moves the placeholder line below the static content when that cannot change the template's structure.",
  details: [
    'Reported once, at the first placeholder whose output varies per request, when at least 256 tokens (and a quarter of the prompt) of static text follow it.',
    'Tags that produce no per-request output (`{% set %}`, `{% extends %}`, `{% block %}`, comments, `{% raw %}`) do not end the cacheable prefix, and neither do placeholders whose names say they are fixed per deployment (`instructions`, `tools`, `output_format`, `agent_name`, `role`, `${workspaceFolder}`…): those are the same for every request of one deployment.',
    'The move fix is offered only when it cannot change the template\'s structure (no enclosing block, no `extends`, no whitespace-control markers touching the line).',
  ].join('\n'),
  evidence: "The placeholder's name, and whether the name itself says it varies per request.",
  check(h) {
    const { prompt } = h.ctx;
    const first = (prompt.placeholders ?? []).find((p) => p.variable && p.kind === 'output' && mayVaryPerRequest(p.expr));
    if (!first) return [];
    // Static tokens after the placeholder: rendered text outside any placeholder.
    const after = prompt.placeholders!.filter((p) => p.renderedStart >= first.renderedStart);
    let staticChars = 0;
    let cursor = first.renderedEnd;
    for (const p of after.slice(1)) {
      staticChars += Math.max(0, p.renderedStart - cursor);
      cursor = Math.max(cursor, p.renderedEnd);
    }
    staticChars += Math.max(0, prompt.text.length - cursor);
    const atRisk = h.atRiskFromRendered(first.renderedStart);
    // Approximate static tokens by their share of characters after the placeholder.
    const tail = Math.max(1, prompt.text.length - first.renderedStart);
    const staticTokens = Math.round((atRisk * staticChars) / tail);
    if (staticTokens < STATIC_AFTER_MIN_TOKENS || staticTokens < 0.25 * h.N) return [];
    const fix = moveLineFix(h, first);
    const named = namedPerRequest(first.expr);
    // Triple-stash and raw outputs keep a brace in their expression (`{ diff }`): name the variable, not the syntax.
    const name = first.expr.replace(/^[{\s]+|[}\s]+$/g, '');
    return [
      {
        ruleId: 'placeholder-before-static',
        severity: 'warning',
        message: `\`${name}\` varies per request and comes before ~${count(staticTokens)} tokens of static text: only the ${count(h.N - atRisk)} tokens before it can be cached. Put static content first and per-request values last.`,
        range: h.range(first.sourceStart, first.sourceEnd),
        tokensAtRisk: atRisk,
        ...(fix ? { fix } : {}),
        evidence: {
          kind: 'placeholder-name',
          name: first.expr,
          summary: named ? `The placeholder's name says it varies per request ("${named.word}").` : `A template variable (\`${name}\`) whose name does not say it is fixed per deployment.`,
        },
      },
    ];
  },
};
