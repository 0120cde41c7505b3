// Per-call analysis of one imported session: the best earlier call, the first divergent token and its segment, the
// tokens the provider's rule predicts as cached, breaks (a read short of what an earlier call left in the cache) and
// their causes, costs, and the compaction what-if. Linear in the log: each distinct piece is tokenized once, each
// call's path is walked once.
import { segmentAt } from '../audit';
import { commonTokenPrefix } from '../divergence';
import { getEncoder, type EncodingName } from '../encodings';
import { blockKindsOf } from '../providers';
import type { ProviderId } from '../ids';
import { formatCount } from '../numbers';
import { pieceValue } from './conversation';
import { openaiChatPromptTokens } from './openaiChatTokens';
import { PrefixIndex, type TrieNode } from './prefixIndex';
import { MessagesLayout, messageLabel, PieceTokens, refineSegment, renderRequest } from './render';
import { callCostUsd, countingEncoding, entryLifetime, guessProvider, hitStep, minimumCacheable, predictCachedTokens, usageStyle, type UsageStyle } from './rules';
import type { BreakCause, CallBreak, ConversationNode, ImportedCall, ImportedSession, PredictedUsage, ReportedUsage, SessionAudit, SessionCall } from './types';
import { summarize, type CallInfo } from './totals';

export interface AnalyzeOptions {
  /** Provider for calls whose log does not say (`--provider`). */
  provider?: ProviderId;
}

/** What the analysis keeps of each call (the rendered text is not kept: request diffs re-render on demand). */
interface CallState {
  index: number;
  imported: ImportedCall;
  provider: ProviderId | undefined;
  model: string | undefined;
  style: UsageStyle;
  usage: ReportedUsage | null;
  time: number | null;
  /** End of the request's path in the prefix index (text-bearing calls only). */
  end: TrieNode | null;
  /** Rendered tokens of the path that can be cached (all but the closing piece). */
  openEnd: number;
  /** Anthropic: rendered tokens before each cache breakpoint. */
  breakpoints: number[];
  /** Anthropic: rendered tokens before each cacheable block's end (hits happen there), and each block's kind. */
  blocks?: number[];
  blockKinds?: string[];
  /** The line (main conversation, a sidechain, a subagent) the call belongs to. */
  line: string;
}

const DIVERGENT_PIECE_SCAN = 1;

export function analyzeSession(session: ImportedSession, options: AnalyzeOptions = {}): SessionAudit {
  const index = new PrefixIndex();
  const tokensByEncoding = new Map<EncodingName, PieceTokens>();
  const layout = new MessagesLayout();
  const memo = new WeakMap<ConversationNode, TrieNode>();
  const states: CallState[] = [];
  const out: SessionCall[] = [];
  const infos: CallInfo[] = [];
  const lastByLine = new Map<string, number>();
  const lastByLineModel = new Map<string, number>();

  const piecesFor = (enc: EncodingName) => {
    let p = tokensByEncoding.get(enc);
    if (!p) tokensByEncoding.set(enc, (p = new PieceTokens(getEncoder(enc))));
    return p;
  };

  session.calls.forEach((imported, i) => {
    const provider = imported.provider ?? guessProvider(imported.model, session.provider ?? options.provider);
    const model = imported.model;
    const usage = imported.usage;
    const style = usageStyle(provider, usage);
    const time = imported.timestamp ? Date.parse(imported.timestamp) : NaN;
    const line = imported.sidechain || imported.agentId ? `side:${imported.agentId ?? ''}` : 'main';
    const { encoding, note } = countingEncoding(provider, model);
    const pieces = piecesFor(encoding);
    const st: CallState = { index: i, imported, provider, model, style, usage, time: Number.isNaN(time) ? null : time, end: null, openEnd: 0, breakpoints: [], line };

    // ---- The request's text, as a path of pieces ----
    let common: TrieNode = index.root;
    let divergence: { tokens: number; segment: string | null } | null = null;
    let totalTokens = 0;
    let predicted: PredictedUsage | null = null;
    let bestByText: number | undefined;
    let render: ReturnType<typeof renderRequest> | null = null;
    let cum: number[] = [];
    if (imported.request) {
      render = renderRequest(imported.request.text);
      const { prompt, bounds } = render;
      let node = index.root;
      let diverged = false;
      cum = [0];
      for (let k = 1; k < bounds.length; k++) {
        const text = prompt.text.slice(bounds[k - 1], bounds[k]);
        const step = index.step(node, index.intern(text), pieces.count(text));
        node = step.node;
        cum.push(node.tokens);
        if (step.existed && !diverged && node.lastCall >= 0) common = node;
        else diverged = true;
      }
      st.end = node;
      totalTokens = node.tokens;
      st.openEnd = cum.length >= 2 ? cum[cum.length - 2] : 0;
      // A breakpoint sits at its block's end. That is a piece boundary only where the template puts a special token
      // there; the last block is followed by the body's closing text, so rounding up to the next boundary put the
      // entry's end past text the next turn replaces (a real automatic-caching capture, pydantic-ai: predicted 0 of
      // the 1,111 tokens Claude read). The tokens up to the block's end are counted instead.
      const tokensBefore = (o: number) => {
        const k = bounds.findIndex((b) => b >= o);
        if (k <= 0) return k === 0 ? 0 : (cum[cum.length - 1] ?? 0);
        return bounds[k] === o ? cum[k] : cum[k - 1] + pieces.count(prompt.text.slice(bounds[k - 1], o));
      };
      st.breakpoints = prompt.breakpoints.map(tokensBefore);
      // The rule hits only where a block of the new request ends, as the core audit passes them (audit.ts); without
      // them the estimate took the new breakpoints as the only block ends and found no hit on a growing conversation.
      if (prompt.format === 'json-anthropic' && prompt.blocks.length) {
        st.blocks = prompt.blocks.map(tokensBefore);
        st.blockKinds = blockKindsOf(prompt);
      }
    } else if (imported.conversation) {
      // Walk back to the part of the history already in the index, then add the rest. Logs whose calls get no
      // prediction (Claude Code, Gemini CLI) count tokens only where a divergence needs them.
      const eager = imported.conversation.layout === 'responses-input' && !!imported.usage;
      const fresh: ConversationNode[] = [];
      let n = imported.conversation.tail;
      while (n && !memo.has(n)) {
        fresh.push(n);
        n = n.prev;
      }
      let node = n ? memo.get(n)! : index.root;
      if (node !== index.root && node.lastCall >= 0) common = node;
      let diverged = false;
      for (let k = fresh.length - 1; k >= 0; k--) {
        const cn = fresh[k];
        const sep = layout.before(cn);
        const block = MessagesLayout.blockText(cn.piece.json);
        for (const text of [sep, block]) {
          const step = index.step(node, index.intern(text), eager ? pieces.count(text) : -1);
          node = step.node;
          if (step.existed && !diverged && node.lastCall >= 0) common = node;
          else diverged = true;
        }
        memo.set(cn, node);
      }
      st.end = node;
      st.openEnd = node.tokens;
      if (eager) totalTokens = node.tokens + (imported.conversation.tail ? pieces.count(layout.suffix()) : 0);
    }
    let located = false;
    const divergenceFor = () => {
      if (!located && bestByText !== undefined) divergence = locateDivergence(st, states[bestByText], common, render, pieces, index, imported);
      located = true;
      return divergence;
    };
    if (st.end) {
      bestByText = common !== index.root && common.lastCall >= 0 ? common.lastCall : undefined;
      index.mark(st.end, i);
    }

    // ---- Baseline: the earlier call whose cache entry this call should have read ----
    const prevSameLine = lastByLine.get(line);
    const prevSameModel = lastByLineModel.get(`${line}|${model ?? ''}`);
    let baseline: number | undefined;
    let extendsBaseline = true;
    if (imported.compaction && prevSameLine !== undefined) {
      baseline = prevSameModel ?? prevSameLine;
      extendsBaseline = false;
    } else if (bestByText !== undefined) {
      baseline = bestByText;
      const b = states[baseline];
      extendsBaseline = imported.conversation ? !!b.end && common.depth >= b.end.depth : common.tokens >= entryEndRendered(b);
      if (b.model !== model && prevSameModel !== undefined) {
        // The best match used another model: a same-model call the request extends has the warm entry.
        const m = states[prevSameModel];
        if (m.end && st.end && PrefixIndex.ancestorAt(st.end, m.end.depth) === m.end) {
          baseline = prevSameModel;
          extendsBaseline = true;
        }
      }
    } else if (!st.end) {
      baseline = prevSameModel ?? prevSameLine;
    }

    // ---- Predicted: the provider's rule applied to the shared prefix ----
    if (imported.request || (imported.conversation && imported.conversation.layout === 'responses-input')) {
      predicted = predict(st, provider, model, totalTokens, divergenceFor(), baseline !== undefined ? states[baseline] : undefined, common, imported, encoding, note);
    }

    const call: SessionCall = {
      index: i,
      id: imported.id,
      timestamp: imported.timestamp ?? null,
      model: model ?? null,
      reported: usage,
      predicted,
      break: null,
    };
    if (imported.line !== undefined) call.line = imported.line;
    if (imported.entry !== undefined) call.entry = imported.entry;
    if (imported.sidechain) call.sidechain = true;
    if (imported.agentId) call.agentId = imported.agentId;
    if (imported.compaction) call.compaction = true;
    if (imported.missReason) call.missReason = imported.missReason.type;
    const sharedShare = baseline !== undefined && states[baseline].end ? common.depth / Math.max(1, states[baseline].end!.depth) : 1;
    call.break = detectBreak(st, baseline !== undefined ? states[baseline] : undefined, extendsBaseline, extendsBaseline ? null : divergenceFor(), imported, states, prevSameLine, sharedShare);
    if (predicted && usage) predicted.vsReported = compare(predicted, usage, imported, call.break);
    const cost = usage ? callCostUsd(provider, model, usage, imported.timestamp) : null;
    call.costUsd = cost;
    if (call.break && usage && cost !== null) {
      const repaired = repairedUsage(usage, call.break.lostTokens, style);
      const c2 = callCostUsd(provider, model, repaired, imported.timestamp);
      if (c2 !== null) call.break.costUsd = Math.max(0, cost - c2);
    }
    const info: CallInfo = { provider, style };
    if (imported.compaction && baseline !== undefined) {
      const b = states[baseline];
      const makeup = b.imported.conversation ? historyMakeup(b.imported.conversation.tail, layout) : null;
      info.compactionContext = { againstCall: baseline, preTokens: imported.compaction.preTokens ?? b.usage?.promptTokens ?? 0, makeup };
    }
    infos.push(info);
    states.push(st);
    out.push(call);
    if (usage) {
      lastByLine.set(line, i);
      lastByLineModel.set(`${line}|${model ?? ''}`, i);
    }
  });

  const audit: SessionAudit = {
    file: session.file,
    source: session.source,
    parent: session.parent ?? null,
    calls: out,
    totals: summarize(out, infos),
    problems: session.problems,
  };
  if (session.sessionId) audit.sessionId = session.sessionId;
  if (session.agentId) audit.agentId = session.agentId;
  if (session.provider) audit.provider = session.provider;
  return audit;
}

/**
 * What a history is made of, in rendered characters (only the shares are used): all of it, its tool outputs, and what
 * comes before the first one.
 */
function historyMakeup(tail: ConversationNode | null, layout: MessagesLayout): { historyTokens: number; toolTokens: number; beforeFirstTool: number } | null {
  let total = 0;
  let tools = 0;
  let beforeFirst = -1;
  const nodes: ConversationNode[] = [];
  for (let n = tail; n; n = n.prev) nodes.push(n);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const t = layout.before(n).length + n.piece.json.length;
    const ty = n.piece.type;
    const isTool = ty === 'tool_result' || ty === 'function_call_output' || ty === 'custom_tool_call_output' || n.piece.role === 'tool';
    if (isTool) {
      if (beforeFirst < 0) beforeFirst = total;
      tools += t;
    }
    total += t;
  }
  return total > 0 && tools > 0 ? { historyTokens: total, toolTokens: tools, beforeFirstTool: beforeFirst } : null;
}

/** What the earlier call left in the cache, in rendered tokens: up to its last breakpoint (Anthropic) or all of it. */
function entryEndRendered(b: CallState): number {
  if (b.style === 'anthropic' && b.imported.request) {
    const bps = b.breakpoints.filter((x) => x <= b.openEnd);
    return bps.length ? Math.max(...bps) : 0;
  }
  return b.openEnd;
}

/** Where the request first differs from the best earlier call: token index and segment. */
function locateDivergence(
  st: CallState,
  b: CallState,
  common: TrieNode,
  render: ReturnType<typeof renderRequest> | null,
  pieces: PieceTokens,
  index: PrefixIndex,
  imported: ImportedCall,
): { tokens: number; segment: string | null } | null {
  if (!st.end || !b.end) return null;
  const mine = PrefixIndex.ancestorAt(st.end, common.depth + DIVERGENT_PIECE_SCAN);
  const theirs = PrefixIndex.ancestorAt(b.end, common.depth + DIVERGENT_PIECE_SCAN);
  const before = index.tokensAt(common, (t) => pieces.count(t));
  if (!mine) {
    // This request is a prefix of the earlier one (or the same): nothing differs inside it.
    return theirs ? { tokens: before, segment: null } : null;
  }
  const a = pieces.tokenize(index.text(mine.piece));
  let within = 0;
  let charOffset = 0;
  if (theirs) {
    const o = pieces.tokenize(index.text(theirs.piece));
    within = commonTokenPrefix(o.ids, a.ids);
    charOffset = a.starts[Math.min(within, a.ids.length)];
  }
  const tokens = before + within;
  let segment: string | null = null;
  if (render) {
    const offset = render.bounds[common.depth] + charOffset;
    segment = segmentAt(render.prompt, offset) ?? null;
    if (segment) segment = refineWithin(segment, imported.request?.body, render, offset);
  } else if (imported.conversation) {
    // Pieces alternate separator, block: piece p (0-based) belongs to history node floor(p / 2).
    const p = common.depth;
    let node: ConversationNode | null = imported.conversation.tail;
    const target = Math.floor(p / 2) + 1;
    while (node && node.depth > target) node = node.prev;
    if (node) {
      const label = node.piece.label ?? messageLabel(node).label;
      segment = p % 2 === 0 ? label.replace(/\.content\[\d+\]$/, '') : refineSegment(label, pieceValue(node.piece), charOffset);
    }
  }
  return { tokens, segment };
}

/** `messages[3].content[0]` → `messages[3].content[0].text` when the offset falls in that key's value. */
function refineWithin(segment: string, body: unknown, render: ReturnType<typeof renderRequest>, offset: number): string {
  const seg = render.prompt.segments.find((s) => s.name === segment);
  if (!seg) return segment;
  let v: unknown = body;
  for (const m of segment.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (v === null || typeof v !== 'object') return segment;
    v = m[1] !== undefined ? (v as Record<string, unknown>)[m[1]] : (v as unknown[])[Number(m[2])];
  }
  return refineSegment(segment, v, offset - seg.start, render.prompt.format === 'json-anthropic');
}

function predict(
  st: CallState,
  provider: ProviderId | undefined,
  model: string | undefined,
  renderedTotal: number,
  divergence: { tokens: number; segment: string | null } | null,
  b: CallState | undefined,
  common: TrieNode,
  imported: ImportedCall,
  encoding: EncodingName,
  encodingNote: string | undefined,
): PredictedUsage {
  const reusableRendered = divergence ? divergence.tokens : common.tokens;
  let promptTokens = renderedTotal;
  let note = encodingNote;
  const body = imported.request?.body;
  // OpenAI Chat Completions: count what the model sees (tools rendered into the prompt, per-message overheads).
  if (body && typeof body === 'object' && provider === 'openai' && Array.isArray((body as Record<string, unknown>).messages)) {
    promptTokens = openaiChatPromptTokens(body as Record<string, unknown>, getEncoder(encoding));
  }
  // The part after the divergence is the same text in both countings; the shared prefix is the rest.
  const reusable = Math.max(0, Math.min(promptTokens, promptTokens - (renderedTotal - reusableRendered)));
  let cachedTokens = 0;
  if (provider && b) {
    const anthropic = provider === 'anthropic';
    cachedTokens = predictCachedTokens(provider, {
      reusablePrefixTokens: reusable,
      newTokens: promptTokens,
      oldTokens: Math.max(promptTokens, b.openEnd),
      model,
      breakpoints: anthropic ? { old: b.breakpoints, new: st.breakpoints } : undefined,
      blocks: anthropic ? st.blocks : undefined,
      blockKinds: anthropic ? st.blockKinds : undefined,
      oldBlocks: anthropic ? b.blocks : undefined,
      encoding,
    });
  }
  const p: PredictedUsage = {
    promptTokens,
    cachedTokens,
    firstDivergentToken: b ? (divergence ? divergence.tokens : null) : null,
    segment: divergence?.segment ?? null,
    againstCall: b ? b.index : null,
    encoding,
  };
  if (imported.conversation) {
    p.partial = true;
    note = [note, imported.conversation.partialNote].filter(Boolean).join('; ');
  }
  if (note) p.encodingNote = note;
  return p;
}

function compare(p: PredictedUsage, u: ReportedUsage, imported: ImportedCall, brk: CallBreak | null): NonNullable<PredictedUsage['vsReported']> {
  const dPrompt = p.promptTokens - u.promptTokens;
  const dCached = p.cachedTokens - u.cacheReadTokens;
  const tolerance = Math.max(16, u.promptTokens * 0.01);
  // A stand-in tokenizer (Anthropic, Gemini) counts the same text in other units: on a real Anthropic capture
  // (openllmetry's prompt-caching cassette) it counted 1,087 of 1,089 tokens cached where Claude reported 1,163 of
  // 1,167, the same prefix. The cached count is compared in the provider's units, scaled by the prompts' ratio.
  const standIn = !!p.encodingNote && !p.partial && p.promptTokens > 0;
  const scaledCached = standIn ? Math.round((p.cachedTokens * u.promptTokens) / p.promptTokens) - u.cacheReadTokens : dCached;
  const d = standIn ? scaledCached : dCached;
  const big = Math.abs(d) > tolerance;
  const why: string[] = [];
  if (p.partial) why.push(`the log holds part of the request (${imported.conversation?.partialNote ?? 'partial'}), so the prediction counts less than was sent`);
  if (standIn) why.push(big ? 'counts use a stand-in tokenizer' : `agrees once the stand-in tokenizer's count is scaled to the provider's (×${(u.promptTokens / p.promptTokens).toFixed(2)})`);
  if (big && d > 0 && brk) why.push(`the provider did not serve the entry of call ${brk.againstCall ?? '?'} (${brk.cause})`);
  else if (big && d > 0 && p.againstCall !== null) why.push(`the provider did not extend its cache entry from call ${p.againstCall}`);
  if (big && d < 0 && p.againstCall === null) why.push('the cache was warm before this log starts (another session or request shared the prefix)');
  else if (big && d < 0) why.push('the provider served more than the rule predicts (an entry from a request outside this log, or a breakpoint the log does not show)');
  if (Math.abs(dPrompt) > tolerance && !p.partial) why.push(`prompt differs by ${formatCount(dPrompt)} tokens (${standIn ? 'the stand-in tokenizer' : 'provider-side template or tokenizer'})`);
  const out: NonNullable<PredictedUsage['vsReported']> = { promptTokens: dPrompt, cachedTokens: dCached, explanation: why.join('; ') || 'agrees' };
  if (standIn) out.scaledCachedTokens = scaledCached;
  return out;
}

/** The usage the call would have reported without the break: lost tokens read instead of written or sent uncached. */
export function repairedUsage(u: ReportedUsage, lost: number, style: UsageStyle): ReportedUsage {
  const r: ReportedUsage = { ...u };
  let left = lost;
  if (style === 'anthropic') {
    const fromWrite = Math.min(left, r.cacheWriteTokens);
    r.cacheWriteTokens -= fromWrite;
    if (r.cacheWrite1hTokens) r.cacheWrite1hTokens = Math.max(0, Math.min(r.cacheWrite1hTokens, r.cacheWriteTokens));
    if (r.cacheWrite5mTokens) r.cacheWrite5mTokens = Math.max(0, r.cacheWriteTokens - (r.cacheWrite1hTokens ?? 0));
    left -= fromWrite;
  }
  const fromInput = Math.min(left, r.inputTokens);
  r.inputTokens -= fromInput;
  r.cacheReadTokens += lost - (left - fromInput);
  r.promptTokens = r.inputTokens + r.cacheReadTokens + r.cacheWriteTokens;
  return r;
}

const MISS_REASON_CAUSE: Record<string, BreakCause> = {
  model_changed: 'model',
  system_changed: 'system',
  tools_changed: 'tools',
  messages_changed: 'messages',
  previous_message_not_found: 'fork',
};

function fmtGap(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  return `${h} h ${String(Math.round((s - h * 3600) / 60)).padStart(2, '0')} min`;
}

function detectBreak(
  st: CallState,
  b: CallState | undefined,
  extendsB: boolean,
  divergence: { tokens: number; segment: string | null } | null,
  imported: ImportedCall,
  states: CallState[],
  prevSameLine: number | undefined,
  sharedShare: number,
): CallBreak | null {
  const u = st.usage;
  if (!u) return null;
  // A model switch: the previous call of this line used another model, and no same-model call has an entry to give.
  const prev = prevSameLine !== undefined ? states[prevSameLine] : undefined;
  let base = b;
  let cause: BreakCause | null = null;
  if (prev && prev.model !== st.model && (!b || b.model !== st.model) && prev.usage) base = prev;
  if (!base || !base.usage) return null;
  const bu = base.usage;
  const step = hitStep(st.provider);
  const minimum = minimumCacheable(st.provider, st.model);
  let entry = st.style === 'anthropic' ? bu.cacheReadTokens + bu.cacheWriteTokens : Math.max(0, bu.promptTokens - step);
  if (st.style === 'openai' && bu.promptTokens < minimum) entry = 0;
  // A compaction abandons the whole entry (the new history cannot read it); otherwise a read is capped by the prompt.
  const expected = imported.compaction ? entry : Math.min(entry, u.promptTokens);
  const lost = expected - u.cacheReadTokens;
  // Precision first: shortfalls under the cache minimum (or 1% of the entry) are rounding, lookback and noise.
  const threshold = Math.max(st.style === 'anthropic' ? 1024 : Math.max(2 * step, 1024), 0.01 * expected);
  if (lost < threshold) return null;
  // A side request that forks from a short shared prefix (a title, a subagent) does not replace the line it left.
  if (!extendsB && !imported.compaction && divergence && u.promptTokens < 0.6 * entry && base === b && base.line !== st.line) return null;
  if (!extendsB && !imported.compaction && u.promptTokens < 0.5 * entry && base === b && divergence && sharedShare < 0.5) return null;

  const gap = st.time !== null && base.time !== null ? Math.max(0, (st.time - base.time) / 1000) : null;
  const life = entryLifetime(base.provider, base.model, bu);
  const brk: CallBreak = { cause: 'unexplained', lostTokens: lost, gapSeconds: gap, explanation: '', againstCall: base.index };
  const reason = imported.missReason;
  if (reason) brk.providerReason = reason.type;
  const lostText = `${formatCount(lost)} tokens that call ${base.index} left in the cache were not read`;
  if (imported.compaction) {
    cause = 'compaction';
    const c = imported.compaction;
    brk.explanation = `compaction${c.trigger ? ` (${c.trigger})` : ''} at line ${c.line ?? '?'}${c.preTokens ? ` replaced ${formatCount(c.preTokens)} tokens of history` : ''}: the new history is written again; ${lostText}`;
  } else if (gap !== null && gap > life.seconds) {
    cause = 'ttl';
    brk.ttl = life.label;
    brk.explanation = `idle ${fmtGap(gap)} after call ${base.index}, beyond the ${life.label} lifetime of its entry: ${lostText}`;
  } else if (base.model !== st.model) {
    cause = 'model';
    brk.explanation = `model changed from ${base.model ?? '?'} to ${st.model ?? '?'} (a new model starts cold): ${lostText}`;
  } else if (reason && MISS_REASON_CAUSE[reason.type]) {
    cause = MISS_REASON_CAUSE[reason.type];
    brk.explanation = `the provider reports ${reason.type}${reason.missedTokens ? ` (${formatCount(reason.missedTokens)} tokens missed)` : ''}${divergence?.segment ? `; the request first differs at ${divergence.segment}` : ''}: ${lostText}`;
    if (divergence?.segment) brk.segment = divergence.segment;
  } else if (!extendsB && divergence?.segment) {
    cause = causeOfSegment(divergence.segment, imported, st, base);
    brk.segment = divergence.segment;
    const verb = cause === 'fork' ? 'continues from an earlier point of the conversation than' : 'first differs from';
    brk.explanation = `the request ${verb} call ${base.index} at ${divergence.segment} (token ${formatCount(divergence.tokens)}): ${lostText}`;
  } else if (imported.interruption) {
    cause = 'messages';
    brk.explanation = `after the interrupted turn at line ${imported.interruption.line} the request did not extend call ${base.index} (the log records the interruption, not the history that was resent): ${lostText}`;
  } else {
    cause = 'unexplained';
    const known: string[] = [];
    if (st.end && extendsB) known.push(`the logged ${imported.request ? 'request' : 'history'} extends call ${base.index} unchanged`);
    if (gap !== null) known.push(`the gap (${fmtGap(gap)}) is within the ${life.label} lifetime`);
    // Hits are best effort everywhere (an entry can be evicted early, or the request routed to a server without it;
    // Gemini's implicit caching and OpenAI promise none): say so beside what the log cannot show.
    if (imported.conversation) known.push(`a change the log does not record (${imported.conversation.partialNote.replace(/^.*?logs? /, '')}), or an entry evicted early or not found by the server that took the request, would look like this`);
    else known.push('the entry was evicted early or the request reached a server without it (hits are best effort)');
    brk.explanation = `${known.join('; ')}: ${lostText}`;
    if (reason) brk.explanation = `the provider reports ${reason.type}; ${brk.explanation}`;
  }
  brk.cause = cause;
  return brk;
}

function causeOfSegment(segment: string, imported: ImportedCall, st: CallState, b: CallState): BreakCause {
  if (/^tools\b/.test(segment) || /^tool_choice/.test(segment) || /^toolConfig|^tool_config/.test(segment)) return 'tools';
  if (/^(system|instructions|systemInstruction|system_instruction)\b/.test(segment)) return 'system';
  const m = /^(messages|input|contents)\[(\d+)\]/.exec(segment);
  const body = imported.request?.body as Record<string, unknown> | undefined;
  if (m && body) {
    const list = body[m[1]];
    const msg = Array.isArray(list) ? (list[Number(m[2])] as Record<string, unknown> | undefined) : undefined;
    if (msg && (msg.role === 'system' || msg.role === 'developer')) return 'system';
  }
  // A history that leaves the earlier one and ends up shorter went back to an earlier point (a rewind, a branch).
  if (imported.conversation && st.end && b.end && st.end.depth < b.end.depth) return 'fork';
  return 'messages';
}
