// breakpoint-beyond-lookback: a cache_control breakpoint too many blocks after the previous one to find it.
import { anthropicBreakpointLimits, type LintRule } from '../helper';
import type { LintFinding } from '../../types';

export const rule: LintRule = {
  id: 'breakpoint-beyond-lookback',
  title: 'Breakpoint beyond the 20-block lookback',
  defaultSeverity: 'warning',
  explanation:
    'Anthropic checks for earlier cache entries only about 20 blocks back from each breakpoint. With more than 20 blocks between this breakpoint and the previous one (or the start), a prefix written earlier is not found. Add an intermediate breakpoint.',
  details: 'Blocks are tools, system blocks and message content blocks, in the order tools → system → messages.',
  evidence: 'The number of blocks between this breakpoint and the previous one.',
  check(h) {
    const { prompt } = h.ctx;
    if (prompt.format !== 'json-anthropic' || prompt.breakpoints.length === 0) return [];
    const { lookbackBlocks: lookback } = anthropicBreakpointLimits();
    const srcOffsets = prompt.breakpointSourceOffsets ?? [];
    const out: LintFinding[] = [];
    let prev = 0;
    prompt.breakpoints.forEach((bp, i) => {
      const between = prompt.blocks.filter((x) => x > prev && x <= bp).length;
      if (between > lookback) {
        const s = srcOffsets[i] ?? 0;
        out.push({
          ruleId: 'breakpoint-beyond-lookback',
          severity: 'warning',
          message: `${between} blocks lie between this breakpoint and the ${i === 0 ? 'start of the request' : 'previous breakpoint'}; Anthropic looks back only ~${lookback} blocks for an earlier cache entry. Add a breakpoint in between.`,
          range: h.range(s, s + '"cache_control"'.length),
          tokensAtRisk: h.atRiskFromRendered(prev),
          evidence: { kind: 'measurement', summary: `${between} blocks since the ${i === 0 ? 'start' : 'previous breakpoint'}; the lookback is ~${lookback}.` },
        });
      }
      prev = bp;
    });
    return out;
  },
};
