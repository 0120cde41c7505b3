// Usage as each provider and logger reports it → one shape (ReportedUsage) where prompt = input + read + write.
// Anthropic's input_tokens excludes cached tokens; OpenAI's, Gemini's and OpenTelemetry's include them.
import { isObject, num } from './importer';
import type { ReportedUsage } from './types';

function make(input: number, read: number, write: number, output: number, extra: Partial<ReportedUsage> = {}): ReportedUsage {
  const u: ReportedUsage = { inputTokens: Math.max(0, input), cacheReadTokens: read, cacheWriteTokens: write, outputTokens: output, promptTokens: Math.max(0, input) + read + write };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (u as unknown as Record<string, unknown>)[k] = v;
  return u;
}

/** Anthropic Messages `usage` (also Claude Code's). */
export function anthropicUsage(u: Record<string, unknown>): ReportedUsage {
  const cc = isObject(u.cache_creation) ? u.cache_creation : undefined;
  const w5 = num(cc?.ephemeral_5m_input_tokens);
  const w1 = num(cc?.ephemeral_1h_input_tokens);
  const write = num(u.cache_creation_input_tokens) ?? (w5 ?? 0) + (w1 ?? 0);
  return make(num(u.input_tokens) ?? 0, num(u.cache_read_input_tokens) ?? 0, write, num(u.output_tokens) ?? 0, { cacheWrite5mTokens: w5, cacheWrite1hTokens: w1 });
}

/** A prompt total that includes cached tokens, split into the three parts. */
function fromTotal(prompt: number, read: number, write: number, output: number, extra: Partial<ReportedUsage> = {}): ReportedUsage {
  // Some gateways report the total without the cache parts (Anthropic through a proxy): never go negative.
  const input = prompt >= read + write ? prompt - read - write : prompt;
  return make(input, read, write, output, extra);
}

/**
 * Any of the usage shapes seen in captures and request logs: Anthropic, OpenAI Chat Completions and Responses,
 * Gemini `usageMetadata`, DeepSeek, LiteLLM's mix, Langfuse's `usage`/`usageDetails`, Codex's token counts.
 */
export function normalizeUsage(raw: unknown): ReportedUsage | null {
  if (!isObject(raw)) return null;
  const u = raw;
  // Gemini
  if ('promptTokenCount' in u || 'cachedContentTokenCount' in u || 'candidatesTokenCount' in u) {
    const prompt = (num(u.promptTokenCount) ?? 0) + (num(u.toolUsePromptTokenCount) ?? 0);
    const out = (num(u.candidatesTokenCount) ?? 0) + (num(u.thoughtsTokenCount) ?? 0);
    return fromTotal(prompt, num(u.cachedContentTokenCount) ?? 0, 0, out, { reasoningTokens: num(u.thoughtsTokenCount) });
  }
  // DeepSeek
  if ('prompt_cache_hit_tokens' in u || 'prompt_cache_miss_tokens' in u) {
    const hit = num(u.prompt_cache_hit_tokens) ?? 0;
    const miss = num(u.prompt_cache_miss_tokens) ?? Math.max(0, (num(u.prompt_tokens) ?? 0) - hit);
    return make(miss, hit, 0, num(u.completion_tokens) ?? 0);
  }
  // OpenAI Chat Completions (and LiteLLM, which adds Anthropic's cache fields to it)
  if ('prompt_tokens' in u) {
    const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
    const read = num(details.cached_tokens) ?? num(u.cache_read_input_tokens) ?? 0;
    const write = num(u.cache_creation_input_tokens) ?? num(details.cache_write_tokens) ?? num(details.cache_creation_tokens) ?? 0;
    const cdetails = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {};
    return fromTotal(num(u.prompt_tokens) ?? 0, read, write, num(u.completion_tokens) ?? 0, { reasoningTokens: num(cdetails.reasoning_tokens) });
  }
  // Codex token counts: input includes cached, and (GPT-5.6+, `cache_write_input_tokens`) the cache writes too, as
  // rollout parsers that read them take both out of input (total_tokens = input + output counts each prompt token once).
  if ('cached_input_tokens' in u) {
    return fromTotal(num(u.input_tokens) ?? 0, num(u.cached_input_tokens) ?? 0, num(u.cache_write_input_tokens) ?? 0, num(u.output_tokens) ?? 0, { reasoningTokens: num(u.reasoning_output_tokens) });
  }
  // OpenAI Responses: input_tokens includes cached; details carry reads (and, from GPT-5.6, writes)
  if (isObject(u.input_tokens_details) || isObject(u.output_tokens_details)) {
    const d = isObject(u.input_tokens_details) ? u.input_tokens_details : {};
    const od = isObject(u.output_tokens_details) ? u.output_tokens_details : {};
    return fromTotal(num(u.input_tokens) ?? 0, num(d.cached_tokens) ?? 0, num(d.cache_write_tokens) ?? num(d.cache_creation_tokens) ?? 0, num(u.output_tokens) ?? 0, { reasoningTokens: num(od.reasoning_tokens) });
  }
  // Anthropic
  if ('input_tokens' in u && ('cache_read_input_tokens' in u || 'cache_creation_input_tokens' in u || 'cache_creation' in u || 'output_tokens' in u)) return anthropicUsage(u);
  // Langfuse: usage {input, output} or usageDetails {input, output, cache_read_input_tokens, input_cached_tokens…}
  if ('input' in u && ('output' in u || 'total' in u)) {
    const read = num(u.cache_read_input_tokens) ?? num(u.input_cached_tokens) ?? num(u.input_cache_read) ?? 0;
    const write = num(u.cache_creation_input_tokens) ?? num(u.input_cache_creation) ?? 0;
    // Langfuse's `input` for Anthropic generations is the uncached part; for OpenAI it includes cached tokens.
    const input = num(u.input) ?? 0;
    return input >= read + write && !('cache_creation_input_tokens' in u) ? fromTotal(input, read, write, num(u.output) ?? 0) : make(input, read, write, num(u.output) ?? 0);
  }
  if ('input_tokens' in u) return fromTotal(num(u.input_tokens) ?? 0, 0, 0, num(u.output_tokens) ?? 0);
  return null;
}

/** Adds streamed usage pieces (SSE deltas) into one report: later non-zero counts win. */
export function mergeUsage(a: ReportedUsage | null, b: ReportedUsage | null): ReportedUsage | null {
  if (!a) return b;
  if (!b) return a;
  const pick = (x: number, y: number) => (y > 0 ? y : x);
  const input = pick(a.inputTokens, b.inputTokens);
  const read = pick(a.cacheReadTokens, b.cacheReadTokens);
  const write = pick(a.cacheWriteTokens, b.cacheWriteTokens);
  return make(input, read, write, Math.max(a.outputTokens, b.outputTokens), {
    cacheWrite5mTokens: b.cacheWrite5mTokens ?? a.cacheWrite5mTokens,
    cacheWrite1hTokens: b.cacheWrite1hTokens ?? a.cacheWrite1hTokens,
    reasoningTokens: b.reasoningTokens ?? a.reasoningTokens,
  });
}
