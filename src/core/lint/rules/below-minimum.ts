// below-minimum: a whole request whose cacheable prefix is shorter than the provider caches at all.
import { splitFrontMatter } from '../../formats/frontMatter';
import { count, providerMinimum, type LintHelper, type LintRule } from '../helper';
import { mayVaryPerRequest } from '../perRequest';

/** The common minimum (OpenAI, most Anthropic models) when no provider is chosen. */
const COMMON_MINIMUM = 1024;

export const rule: LintRule = {
  id: 'below-minimum',
  title: 'Cacheable prefix below the provider minimum',
  defaultSeverity: 'warning',
  explanation:
    'Providers cache nothing below a minimum prefix length (OpenAI 1024 tokens; Anthropic 1024–4096 by model; Gemini 2048–4096), and say nothing about it. Either grow the static prefix (e.g. move examples or tool docs into it) or accept that this request is never cached.',
  details: [
    'Applies to whole requests only: request bodies, and files marked as the whole prompt (front matter `prompt-cache: whole-prompt`, `prompt-cache-audit lint --whole-prompt`, or `wholePrompt` in the lint context). Instruction files, templates and other fragments are sent inside a larger request (tools, system prompt, history), so their own length says nothing; `lint` says once in its summary how many fragments are short.',
    'The cacheable prefix is the text before the first per-request placeholder (templates), before the last `cache_control` breakpoint (Anthropic bodies), before the final user turn (other request bodies), or the whole prompt. With `--provider` the provider\'s (and `--model`\'s) minimum applies; without it, only prompts of 512–1023 tokens, just short of the common 1024-token minimum, are reported (info).',
  ].join('\n'),
  evidence: 'The prefix length, the minimum and where it comes from.',
  check(h) {
    const p = cacheablePrefix(h);
    if (!p.whole || h.N === 0) return [];
    const { provider, model } = h.ctx;
    const where = h.range(0, Math.min(h.ctx.source.length, h.lines.lineCount > 1 ? h.lines.lineStart(2) - 1 : h.ctx.source.length));
    if (provider) {
      const min = providerMinimum(provider, model);
      if (!min || p.tokens >= min.tokens) return [];
      return [
        {
          ruleId: 'below-minimum',
          severity: 'warning',
          message: `The cacheable prefix is ${count(p.tokens)} tokens; ${min.name} caches nothing below ${count(min.tokens)} tokens${min.label ? ` (${min.label})` : ''}, silently.`,
          range: where,
          tokensAtRisk: p.tokens,
          evidence: { kind: 'measurement', summary: `${count(p.tokens)} tokens ${p.until}; ${min.name}'s minimum is ${count(min.tokens)}. ${p.why}` },
        },
      ];
    }
    // No provider chosen: only speak up for substantial prompts just under the common 1024-token minimum.
    if (p.tokens < 512 || p.tokens >= COMMON_MINIMUM) return [];
    return [
      {
        ruleId: 'below-minimum',
        severity: 'info',
        message: `The cacheable prefix is ${count(p.tokens)} tokens, below the 1,024-token minimum of OpenAI and most Anthropic models: it is never cached there.`,
        range: where,
        tokensAtRisk: p.tokens,
        evidence: { kind: 'measurement', summary: `${count(p.tokens)} tokens ${p.until}; the common minimum is 1,024. ${p.why}` },
      },
    ];
  },
};

/** The front matter key that marks a file as the whole prompt (not a fragment of a larger request). */
export const WHOLE_PROMPT_MARK = { key: 'prompt-cache', value: 'whole-prompt' } as const;

export interface CacheablePrefix {
  tokens: number;
  /** Where the prefix ends, for people: "before the first per-request placeholder". */
  until: string;
  /** The provider minimum applies: a request body or a file marked as the whole prompt. */
  whole: boolean;
  why: string;
}

/** How much of this prompt a provider could cache, and whether it is a whole request. */
export function cacheablePrefix(h: LintHelper): CacheablePrefix {
  const { prompt } = h.ctx;
  let tokens = h.N;
  let until = 'in the whole prompt';
  // The prefix ends at the first output that varies per request; a variable fixed per deployment (`override_prompt`,
  // `agent_name`) renders the same for every request, so it does not end it.
  const first = prompt.placeholders ? prompt.placeholders.find((p) => p.kind === 'output' && p.variable && mayVaryPerRequest(p.expr))?.renderedStart ?? null : prompt.firstVariableOffset;
  if (first !== null) {
    tokens = h.tokensBefore(first);
    until = 'before the first per-request placeholder';
  } else if (prompt.breakpoints.length) {
    tokens = h.tokensBefore(prompt.breakpoints[prompt.breakpoints.length - 1]);
    until = 'before the last cache_control breakpoint';
  } else if (prompt.finalTurnOffset !== undefined) {
    tokens = h.tokensBefore(prompt.finalTurnOffset);
    until = 'before the final user turn';
  }
  if (h.isRequestBody) return { tokens, until, whole: true, why: 'A request body is the whole request.' };
  if (h.ctx.wholePrompt) return { tokens, until, whole: true, why: 'Marked as the whole prompt.' };
  const data = splitFrontMatter(h.ctx.source).data as Record<string, unknown> | undefined;
  if (data && typeof data === 'object' && data[WHOLE_PROMPT_MARK.key] === WHOLE_PROMPT_MARK.value) {
    return { tokens, until, whole: true, why: `Front matter \`${WHOLE_PROMPT_MARK.key}: ${WHOLE_PROMPT_MARK.value}\` marks it as the whole prompt.` };
  }
  return { tokens, until, whole: false, why: 'A fragment: sent inside a larger request.' };
}
