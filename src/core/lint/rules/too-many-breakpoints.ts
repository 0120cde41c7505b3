// too-many-breakpoints: more cache_control markers than the Anthropic Messages API accepts.
import { anthropicBreakpointLimits, type LintRule } from '../helper';

export const rule: LintRule = {
  id: 'too-many-breakpoints',
  title: 'More than 4 Anthropic cache breakpoints',
  defaultSeverity: 'error',
  explanation: 'The Anthropic Messages API accepts at most 4 `cache_control` breakpoints per request (top-level automatic caching uses one of them); more is an error.',
  evidence: 'The number of `cache_control` markers in the body.',
  check(h) {
    const { prompt } = h.ctx;
    if (prompt.format !== 'json-anthropic') return [];
    const { maxBreakpoints: max } = anthropicBreakpointLimits();
    if (prompt.breakpoints.length <= max) return [];
    const extra = [...(prompt.breakpointSourceOffsets ?? [])].sort((x, y) => x - y)[max] ?? 0;
    return [
      {
        ruleId: 'too-many-breakpoints',
        severity: 'error',
        message: `${prompt.breakpoints.length} cache_control breakpoints; the Messages API accepts at most ${max} per request (the request is rejected).`,
        range: h.range(extra, extra + '"cache_control"'.length),
        tokensAtRisk: h.N,
        evidence: { kind: 'measurement', summary: `${prompt.breakpoints.length} \`cache_control\` markers; the limit is ${max}.` },
      },
    ];
  },
};
