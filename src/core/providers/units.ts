// What a provider serves from cache for one change, by unit kind. The switch is exhaustive over UnitSpec['kind']:
// a new kind in types.ts is a type error here until it has an implementation, and no provider id is special-cased.
import type { AppliedRule, UnitSpec } from './types';

export interface EstimateInput {
  /** Common token prefix of old and new (new token count when identical). */
  reusablePrefixTokens: number;
  newTokens: number;
  oldTokens: number;
  model?: string;
  pricePerMTok?: number;
  /** Cache breakpoints as token counts (tokens before each breakpoint), per version. */
  breakpoints?: { old: number[]; new: number[] };
  /** Content-block ends as token counts in the new version (lookback is counted in positions over these). */
  blocks?: number[];
  /** Kind of each block in `blocks` (`tool_use`, `tool_result`, `text`, …), when known. */
  blockKinds?: string[];
  /** Block ends of the old version, as token counts (a cached entry must end on one of the new version's). */
  oldBlocks?: number[];
  /** The encoding the counts came from (for the stand-in note). */
  encoding?: string;
  /** Use the 1 h TTL write price (same as ttl: "1h"). */
  ttl1h?: boolean;
  /** The TTL option whose write price applies, e.g. "5m", "1h", "30m", "12h"; default: the rule's default. */
  ttl?: string;
}

export interface CachedResult {
  /** Tokens of the new version served from cache. */
  cached: number;
  /** Tokens this request writes to the cache (billed at the write multiplier). */
  written: number;
  /** One line saying which rule applied. */
  rule: string;
}

/** The minimum in the counts' own tokens: a stand-in that needs fewer tokens than the provider reaches it sooner. */
export function effectiveMinimum(rule: AppliedRule): { tokens: number; factor?: number } {
  const min = rule.minimumTokens.value;
  const tok = rule.tokenizer.value;
  if (tok.kind === 'stand-in' && tok.factor && tok.factor > 1) return { tokens: Math.ceil(min / tok.factor), factor: tok.factor };
  return { tokens: min };
}

function minimumText(rule: AppliedRule): string {
  const e = effectiveMinimum(rule);
  const label = rule.modelLabel ? ` (${rule.modelLabel})` : '';
  const standIn = e.factor ? `, ≈ ${e.tokens} stand-in tokens at ${e.factor}×` : '';
  return `≥ ${rule.minimumTokens.value} tokens${label}${standIn}`;
}

/** Tokens served from cache under a rule, dispatched on its unit kind. */
export function cachedTokensFor(rule: AppliedRule, input: EstimateInput): CachedResult {
  const unit: UnitSpec = rule.unit.value;
  switch (unit.kind) {
    case 'token':
      return tokenUnit(rule, input);
    case 'step':
      return stepUnit(rule, unit, input);
    case 'block':
      return blockUnit(unit, input);
    case 'content-block':
      return contentBlockUnit(rule, unit, input);
    case 'breakpoint':
      return breakpointUnit(rule, unit, input);
    case 'persisted-unit':
      return persistedUnit(rule, unit, input);
    default:
      return assertNever(unit);
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown cache unit ${JSON.stringify(x)}`);
}

const prefixOf = (input: EstimateInput) => Math.max(0, Math.min(input.reusablePrefixTokens, input.newTokens));

function tokenUnit(rule: AppliedRule, input: EstimateInput): CachedResult {
  const P = prefixOf(input);
  const min = effectiveMinimum(rule).tokens;
  return { cached: P >= min ? P : 0, written: 0, rule: `${minimumText(rule)}, token prefix` };
}

function stepUnit(rule: AppliedRule, unit: { stepTokens: number }, input: EstimateInput): CachedResult {
  const P = prefixOf(input);
  const min = effectiveMinimum(rule).tokens;
  const step = unit.stepTokens;
  const cached = P < min ? 0 : min + Math.floor((P - min) / step) * step;
  return { cached, written: 0, rule: `${minimumText(rule)}, ${step}-token steps` };
}

function blockUnit(unit: { blockTokens: number; keepsLastTokenUncached: boolean }, input: EstimateInput): CachedResult {
  const P = prefixOf(input);
  // Local engines always recompute the last prompt token: its logits start generation.
  const usable = unit.keepsLastTokenUncached ? Math.min(P, Math.max(0, input.newTokens - 1)) : P;
  const b = unit.blockTokens;
  const cached = Math.floor(usable / b) * b;
  return { cached, written: 0, rule: b > 1 ? `full ${b}-token blocks` : 'token granularity' };
}

/**
 * Lookback positions from a breakpoint at `to` back to an entry ending at `from` (both block ends), counting the
 * breakpoint's own block; with `runsCountAsOne`, a run of consecutive tool_use (or tool_result) blocks is one position.
 */
export function lookbackPositions(blocks: number[], kinds: string[] | undefined, from: number, to: number, runsCountAsOne: boolean): number {
  let positions = 0;
  let prevKind: string | undefined;
  for (let i = 0; i < blocks.length; i++) {
    const end = blocks[i];
    if (end < from || end > to) continue;
    const kind = kinds?.[i];
    const collapsible = runsCountAsOne && (kind === 'tool_use' || kind === 'tool_result');
    if (!(collapsible && kind === prevKind)) positions++;
    prevKind = kind;
  }
  return Math.max(1, positions);
}

function contentBlockUnit(rule: AppliedRule, unit: { maxBreakpoints: number; lookbackPositions: number; runsCountAsOne: boolean }, input: EstimateInput): CachedResult {
  const P = prefixOf(input);
  const min = effectiveMinimum(rule).tokens;
  const oldBps = input.breakpoints?.old ?? [];
  const newBps = (input.breakpoints?.new ?? []).slice(0, unit.maxBreakpoints);
  const text = `${minimumText(rule)} at a cache_control breakpoint, hits at content-block boundaries, ${unit.lookbackPositions} positions back`;
  if (newBps.length === 0) return { cached: 0, written: 0, rule: 'no cache_control breakpoint: nothing is cached' };
  const blocks = input.blocks ?? [];
  // Hits happen only where a content block of the new request ends; without block data the breakpoints are the ends.
  const boundaries = new Set(blocks.length ? blocks : newBps);
  let cached = 0;
  for (const p of oldBps) {
    if (p < min || p > P || p <= cached || !boundaries.has(p)) continue;
    const reachable = newBps.some((b) => b >= p && lookbackPositions(blocks.length ? blocks : newBps, input.blockKinds, p, b, unit.runsCountAsOne) <= unit.lookbackPositions);
    if (reachable) cached = p;
  }
  const lastBp = Math.max(0, ...newBps.filter((b) => b >= min));
  return { cached, written: Math.max(0, lastBp - cached), rule: text };
}

function breakpointUnit(rule: AppliedRule, unit: { maxWrittenPerRequest: number; breakpointsConsidered: number }, input: EstimateInput): CachedResult {
  const P = prefixOf(input);
  const min = effectiveMinimum(rule).tokens;
  // Entries the previous request wrote: its breakpoints (latest `breakpointsConsidered`), exact, not rounded.
  const oldBps = (input.breakpoints?.old ?? [input.oldTokens]).slice(-unit.breakpointsConsidered);
  const newBps = (input.breakpoints?.new ?? [input.newTokens]).slice(-unit.maxWrittenPerRequest);
  let cached = 0;
  for (const p of oldBps) if (p >= min && p <= P && p > cached) cached = p;
  const lastBp = Math.max(0, ...newBps.filter((b) => b >= min));
  return {
    cached,
    written: Math.max(0, lastBp - cached),
    rule: `${minimumText(rule)} at a breakpoint (exact, not rounded; ≤ ${unit.maxWrittenPerRequest} written per request, latest ${unit.breakpointsConsidered} considered)`,
  };
}

function persistedUnit(rule: AppliedRule, unit: { intervalTokens?: number }, input: EstimateInput): CachedResult {
  const P = prefixOf(input);
  const O = input.oldTokens;
  const min = effectiveMinimum(rule).tokens;
  // The previous request persisted a unit at the end of its input (O tokens): a hit needs all of it.
  let cached = O > 0 && P >= O && O >= min ? O : 0;
  if (unit.intervalTokens && cached === 0) cached = Math.floor(P / unit.intervalTokens) * unit.intervalTokens;
  const next = cached === 0 && P >= min && P > 0 ? `; the common prefix (${P} tokens) is persisted for the next request` : '';
  return { cached, written: 0, rule: `hit only on a full persisted unit (the previous request's whole input, ${O} tokens)${next}` };
}
