// A session's totals: what was reported, what breaks cost, the compaction what-if, and which context-trimming strategy
// this session's own numbers favour.
import type { ProviderId } from '../ids';
import { formatCount, formatUsd } from '../numbers';
import { cacheMultipliers, callCostUsd, type UsageStyle } from './rules';
import type { BreakCause, CompactionWhatIf, ReportedUsage, SessionCall, SessionTotals } from './types';

export interface CallInfo {
  provider: ProviderId | undefined;
  style: UsageStyle;
  /** For the first call after a compaction: the context before it and what its history was made of. */
  compactionContext?: { againstCall: number; preTokens: number; makeup: { historyTokens: number; toolTokens: number; beforeFirstTool: number } | null };
}

/** Cost of a usage: USD when the price data knows the model, else base-input-price units (for comparisons only). */
function costOf(info: CallInfo, call: SessionCall, u: ReportedUsage): { value: number; usd: boolean } {
  const usd = callCostUsd(info.provider, call.model ?? undefined, u, call.timestamp);
  if (usd !== null) return { value: usd, usd: true };
  const p = cacheMultipliers(info.provider);
  return { value: (u.inputTokens + u.cacheReadTokens * p.readMultiplier + u.cacheWriteTokens * (p.writeMultiplier ?? 1)) / 1e6, usd: false };
}

const withRead = (u: ReportedUsage, extra: number): ReportedUsage => ({ ...u, cacheReadTokens: u.cacheReadTokens + extra, promptTokens: u.promptTokens + extra });
const withWrite = (u: ReportedUsage, extra: number): ReportedUsage => ({ ...u, cacheWriteTokens: u.cacheWriteTokens + extra, promptTokens: u.promptTokens + extra });

function money(x: number, usd: boolean): string {
  return usd ? formatUsd(x) : `${formatCount(x * 1e6)} input-token equivalents`;
}

function whatIf(calls: SessionCall[], infos: CallInfo[], c: number): { whatIf: CompactionWhatIf; strategy?: { maskMinusSummary: number; usd: boolean; text: string } } | null {
  const call = calls[c];
  const ctx = infos[c].compactionContext;
  const u = call.reported;
  if (!u || !ctx) return null;
  const line = call.sidechain ? `side:${call.agentId ?? ''}` : 'main';
  const sameLine = (k: SessionCall) => (k.sidechain ? `side:${k.agentId ?? ''}` : 'main') === line;
  const pre = ctx.preTokens;
  const delta = Math.max(0, pre - u.promptTokens);
  const writtenAgain = infos[c].style === 'anthropic' ? u.cacheWriteTokens + u.inputTokens : u.promptTokens - u.cacheReadTokens;
  // Without the compaction this call would have read the old context and nothing else changes.
  const actual = costOf(infos[c], call, u);
  const noComp = costOf(infos[c], call, { ...u, inputTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0, cacheWrite5mTokens: 0, cacheReadTokens: pre, promptTokens: pre });
  let net = noComp.value - actual.value;
  const usd = actual.usd && noComp.usd;
  let breakEven: number | null = net >= 0 ? c : null;
  let later = 0;
  const laterCalls: SessionCall[] = [];
  for (let k = c + 1; k < calls.length; k++) {
    const kc = calls[k];
    if (!sameLine(kc) || !kc.reported) continue;
    if (kc.compaction) break;
    later++;
    laterCalls.push(kc);
    // The old context would have been carried too: read from cache, or written again where this call broke.
    const alt = kc.break ? withWrite(kc.reported, delta) : withRead(kc.reported, delta);
    net += costOf(infos[k], kc, alt).value - costOf(infos[k], kc, kc.reported).value;
    if (breakEven === null && net >= 0) breakEven = k;
  }
  const savedTokens = delta * later;
  const explanation =
    `compaction before call ${c}: ${formatCount(writtenAgain)} tokens written again (${money(actual.value - noComp.value, usd)} more than reading the ${formatCount(pre)}-token history); ` +
    `the ${later} calls after it carried ${formatCount(delta)} fewer tokens each (${formatCount(savedTokens)} in all); ` +
    (breakEven === null ? 'never broke even within this session' : `broke even at call ${breakEven}`) +
    ` (net ${net >= 0 ? 'saved' : 'cost'} ${money(Math.abs(net), usd)})`;
  const result: CompactionWhatIf = { callIndex: c, writtenAgainTokens: writtenAgain, savedTokens, breakEvenCall: breakEven, netUsd: usd ? net : null, explanation };
  // Masking tool outputs instead: the history before the first masked output stays cached; the rest is rewritten
  // without the outputs, and every later call carries that (larger) masked history instead of the summary.
  const mk = ctx.makeup;
  if (!mk) return { whatIf: result };
  // The log's history lacks the system prompt and tools; its characters at ~4 per token estimate its share of the
  // reported context, and the part it does not cover stays in front, unmasked.
  const history = Math.min(pre, Math.round(mk.historyTokens / 4));
  const toolShare = mk.toolTokens / mk.historyTokens;
  const masked = Math.round(pre - history * toolShare);
  const kept = Math.min(masked, Math.round(pre - history + history * (mk.beforeFirstTool / mk.historyTokens)));
  const maskFirst = costOf(infos[c], call, { ...u, inputTokens: u.inputTokens, cacheReadTokens: kept, cacheWriteTokens: Math.max(0, masked - kept), cacheWrite1hTokens: 0, cacheWrite5mTokens: 0, promptTokens: u.inputTokens + masked });
  let diff = maskFirst.value - actual.value;
  const extra = Math.max(0, masked - u.promptTokens);
  for (const kc of laterCalls) {
    const k = kc.index;
    const alt = kc.break ? withWrite(kc.reported!, extra) : withRead(kc.reported!, extra);
    diff += costOf(infos[k], kc, alt).value - costOf(infos[k], kc, kc.reported!).value;
  }
  const text = `masking the tool outputs (${Math.round(toolShare * 100)}% of the history) would have kept ${formatCount(masked)} tokens in context (the summary kept ${formatCount(u.promptTokens)}) and rewritten ${formatCount(Math.max(0, masked - kept))}; over the rest of the session masking ${diff < 0 ? 'saves' : 'costs'} ${money(Math.abs(diff), usd && maskFirst.usd)} against the summary`;
  return { whatIf: result, strategy: { maskMinusSummary: diff, usd, text } };
}

export function summarize(calls: SessionCall[], infos: CallInfo[]): SessionTotals {
  const reported = { inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, promptTokens: 0 };
  const byCause: Partial<Record<BreakCause, { breaks: number; lostTokens: number }>> = {};
  let breaks = 0;
  let lost = 0;
  let withUsage = 0;
  let paid = 0;
  let breaksUsd = 0;
  let priced = true;
  let pricedCalls = 0;
  const unpriced = new Set<string>();
  const models = new Set<string>();
  let first: string | null = null;
  let last: string | null = null;
  let agreementCalls = 0;
  let partialCalls = 0;
  let within = 0;
  let absSum = 0;
  for (const c of calls) {
    if (c.model) models.add(c.model);
    if (c.timestamp) {
      if (!first || c.timestamp < first) first = c.timestamp;
      if (!last || c.timestamp > last) last = c.timestamp;
    }
    if (c.reported) {
      withUsage++;
      for (const k of Object.keys(reported) as (keyof typeof reported)[]) reported[k] += c.reported[k];
      if (c.costUsd === null || c.costUsd === undefined) {
        priced = false;
        unpriced.add(c.model ?? '(no model)');
      } else {
        paid += c.costUsd;
        pricedCalls++;
      }
    }
    if (c.break) {
      breaks++;
      lost += c.break.lostTokens;
      const e = (byCause[c.break.cause] ??= { breaks: 0, lostTokens: 0 });
      e.breaks++;
      e.lostTokens += c.break.lostTokens;
      breaksUsd += c.break.costUsd ?? 0;
    }
    // A prediction from part of the request (no system prompt, no tools: Claude Code, Codex) cannot agree with the
    // provider's count of the whole request; comparing it would only measure what the log leaves out.
    if (c.predicted?.partial && c.reported) partialCalls++;
    else if (c.predicted && c.reported) {
      agreementCalls++;
      const d = Math.abs(c.predicted.vsReported?.scaledCachedTokens ?? c.predicted.cachedTokens - c.reported.cacheReadTokens);
      absSum += d;
      if (d <= 0.05 * Math.max(1, c.reported.promptTokens)) within++;
    }
  }
  const compactions: CompactionWhatIf[] = [];
  const strategies: { maskMinusSummary: number; usd: boolean; text: string }[] = [];
  calls.forEach((c, i) => {
    if (!c.compaction) return;
    const w = whatIf(calls, infos, i);
    if (w) {
      compactions.push(w.whatIf);
      if (w.strategy) strategies.push(w.strategy);
    }
  });
  let strategy: SessionTotals['strategy'] = { favours: 'unknown', explanation: compactions.length ? 'the log does not say what the history was made of (tool outputs)' : 'no compaction in this session' };
  if (strategies.length) {
    const sum = strategies.reduce((a, s) => a + s.maskMinusSummary, 0);
    strategy = { favours: sum < 0 ? 'masking' : 'summary', explanation: strategies.map((s) => s.text).join('; ') };
  }
  // Calls, not distinct models: two calls of one unpriced model (glm-4.7 behind Claude Code) priced nothing, yet
  // compared 1 unpriced model < 2 calls and printed "paid $0".
  const anyPriced = pricedCalls > 0;
  return {
    calls: calls.length,
    callsWithUsage: withUsage,
    breaks,
    lostTokens: lost,
    byCause,
    reported,
    hitRatio: reported.promptTokens > 0 ? reported.cacheReadTokens / reported.promptTokens : 0,
    writtenAgainShare: reported.promptTokens > 0 ? lost / reported.promptTokens : 0,
    cost: {
      paidUsd: anyPriced ? paid : null,
      breaksUsd: anyPriced ? breaksUsd : null,
      withoutBreaksUsd: anyPriced ? paid - breaksUsd : null,
      unpricedModels: priced ? [] : [...unpriced],
    },
    compactions,
    strategy,
    agreement: agreementCalls
      ? {
          calls: agreementCalls,
          cachedWithin5Percent: within,
          meanAbsCachedDifference: absSum / agreementCalls,
          explanation:
            `${within} of ${agreementCalls} calls: predicted cache reads within 5% of the prompt of what the provider reported` +
            (partialCalls ? `; ${partialCalls} more with part of the request only, not compared` : ''),
          ...(partialCalls ? { partialCalls } : {}),
        }
      : partialCalls
        ? { calls: 0, cachedWithin5Percent: 0, meanAbsCachedDifference: 0, partialCalls, explanation: `not compared: the log holds part of each request (${partialCalls} calls), so its cached tokens cannot be predicted from it` }
        : null,
    firstTimestamp: first,
    lastTimestamp: last,
    models: [...models],
  };
}
