// The Session tab's view-model: one bar per call (cache read / write / uncached), breaks with their cause, predicted
// against reported, problems by file and line, and the selected call's request diff. Built from the core's
// SessionAudit by pure functions (unit-tested without VS Code); the numbers are the ones `prompt-cache-audit trace`
// prints, since both come from the same audit.
import type { RequestDiffExcerpt } from '../core/sessions/excerpt';
import type { BreakCause, SessionAudit, SessionCall } from '../core/sessions/types';
import { formatCount, formatPercent, formatUsd } from '../core/numbers';
import { SOURCE_LABELS } from '../core/sessions/labels';

export type { DiffSide, RequestDiffExcerpt } from '../core/sessions/excerpt';


/** A break's cause in a few words (the bar's badge). */
export const CAUSE_LABELS: Record<BreakCause, string> = {
  ttl: 'cache expired',
  compaction: 'compaction',
  model: 'model changed',
  tools: 'tools changed',
  system: 'system prompt changed',
  messages: 'history changed',
  fork: 'went back in the conversation',
  unexplained: 'unexplained',
};

export interface SessionBarView {
  index: number;
  /** "line 41", "entry 3". */
  where: string;
  /** "10:02:14" (UTC), when the log has times. */
  time: string | null;
  model: string | null;
  hasUsage: boolean;
  read: number;
  write: number;
  uncached: number;
  output: number;
  /** A break: the cause and its badge. */
  cause?: BreakCause;
  causeLabel?: string;
  /** The bar's tooltip: its figures and, for a break, the explanation. */
  title: string;
  compaction?: boolean;
  /** A subagent's or sidechain's call. */
  side?: boolean;
}

export interface SessionBreakView {
  index: number;
  cause: BreakCause;
  causeLabel: string;
  lostTokens: number;
  explanation: string;
  cost?: string;
}

export interface PredictedRowView {
  index: number;
  predictedCached: number;
  reportedCached: number;
  /** Reported minus predicted cached tokens, in the provider's units (scaled when the tokenizer is a stand-in). */
  difference: number;
  explanation: string;
  partial: boolean;
}

export interface PromptFileLink {
  /** Workspace-relative path (the key the webview sends back). */
  path: string;
  /** 1-based. */
  line: number;
  side: 'old' | 'new';
}

export interface SelectedCallView {
  index: number;
  /** "call 12 (line 88) against call 11, the call whose cache entry it should have read". */
  title: string;
  /** One line each: reported, predicted, the difference and what explains it, the break. */
  lines: string[];
  /** The request diff; absent while it loads or when the log lacks the text (`note` says so). */
  diff?: RequestDiffExcerpt;
  note?: string;
  promptLink?: PromptFileLink;
  loading?: boolean;
}

export interface SessionView {
  file: string;
  fileName: string;
  sourceLabel: string;
  /** "87% read from cache" (or "no reported usage"). */
  headline: string;
  facts: { k: string; v: string }[];
  bars: SessionBarView[];
  /** Largest prompt of any call (the bars' scale). */
  maxPrompt: number;
  breaks: SessionBreakView[];
  /** Predicted vs reported over the session, one sentence; null when no call has both. */
  agreement: string | null;
  predicted: PredictedRowView[];
  problems: { where: string; severity: string; message: string }[];
  notes: string[];
  selected?: SelectedCallView;
  /** "read in 1.2 s, analysed in 0.4 s". */
  timing?: string;
}

function hhmmss(iso: string | null): string | null {
  return iso && iso.length >= 19 ? iso.slice(11, 19) : null;
}

function whereOf(c: SessionCall): string {
  return c.line !== undefined ? `line ${c.line}` : c.entry !== undefined ? `entry ${c.entry}` : '';
}

function barOf(c: SessionCall): SessionBarView {
  const u = c.reported;
  const bar: SessionBarView = {
    index: c.index,
    where: whereOf(c),
    time: hhmmss(c.timestamp),
    model: c.model,
    hasUsage: !!u,
    read: u?.cacheReadTokens ?? 0,
    write: u?.cacheWriteTokens ?? 0,
    uncached: u?.inputTokens ?? 0,
    output: u?.outputTokens ?? 0,
    title: '',
  };
  const head = `call ${c.index}${bar.where ? ` · ${bar.where}` : ''}${bar.time ? ` · ${bar.time}` : ''}${c.model ? ` · ${c.model}` : ''}`;
  const figures = u ? `read ${formatCount(bar.read)} · written ${formatCount(bar.write)} · uncached ${formatCount(bar.uncached)} · output ${formatCount(bar.output)}` : 'no reported usage';
  const lines = [head, figures];
  if (c.break) {
    bar.cause = c.break.cause;
    bar.causeLabel = causeLabel(c);
    lines.push(`break: ${bar.causeLabel} — ${c.break.explanation}`);
  }
  if (c.compaction) bar.compaction = true;
  if (c.sidechain || c.agentId) bar.side = true;
  bar.title = lines.join('\n');
  return bar;
}

function causeLabel(c: SessionCall): string {
  const b = c.break!;
  return b.cause === 'ttl' && b.ttl ? `${CAUSE_LABELS.ttl} (${b.ttl.split(' ')[0]})` : CAUSE_LABELS[b.cause];
}

function predictedDifference(c: SessionCall): number {
  const v = c.predicted!.vsReported!;
  // vsReported holds predicted − reported; the view says reported − predicted ("the provider served N more / fewer").
  return -(v.scaledCachedTokens ?? v.cachedTokens);
}

export function sessionView(a: SessionAudit, extra: { timing?: string } = {}): SessionView {
  const t = a.totals;
  const r = t.reported;
  const fileName = a.file.split(/[\\/]/).pop() ?? a.file;
  const facts: { k: string; v: string }[] = [];
  facts.push({ k: 'calls', v: `${formatCount(t.calls)}${t.callsWithUsage !== t.calls ? ` (${formatCount(t.callsWithUsage)} with usage)` : ''}` });
  if (t.models.length) facts.push({ k: 'models', v: t.models.join(', ') });
  if (t.callsWithUsage) {
    const p = r.promptTokens || 1;
    facts.push({ k: 'prompt', v: `${formatCount(r.promptTokens)} tokens: ${formatPercent(r.cacheReadTokens / p)} read, ${formatPercent(r.cacheWriteTokens / p)} written, ${formatPercent(r.inputTokens / p)} uncached` });
    facts.push({ k: 'breaks', v: t.breaks ? `${formatCount(t.breaks)}, ${formatCount(t.lostTokens)} tokens not read again (${formatPercent(t.writtenAgainShare)} of the input)` : 'none' });
  }
  if (t.cost.paidUsd !== null) facts.push({ k: 'paid', v: `${formatUsd(t.cost.paidUsd)}${t.cost.breaksUsd ? ` · breaks cost ${formatUsd(t.cost.breaksUsd)}` : ''}` });
  if (t.firstTimestamp) facts.push({ k: 'time', v: `${t.firstTimestamp.slice(0, 16).replace('T', ' ')} → ${(t.lastTimestamp ?? '').slice(0, 16).replace('T', ' ')} UTC` });
  const breaks = a.calls
    .filter((c) => c.break)
    .map((c): SessionBreakView => {
      const b = c.break!;
      const v: SessionBreakView = { index: c.index, cause: b.cause, causeLabel: causeLabel(c), lostTokens: b.lostTokens, explanation: b.explanation };
      if (b.costUsd) v.cost = formatUsd(b.costUsd);
      return v;
    })
    .sort((x, y) => y.lostTokens - x.lostTokens || x.index - y.index);
  const predicted = a.calls
    .filter((c) => c.predicted?.vsReported && c.reported)
    .map((c): PredictedRowView => ({
      index: c.index,
      predictedCached: c.predicted!.cachedTokens,
      reportedCached: c.reported!.cacheReadTokens,
      difference: predictedDifference(c),
      explanation: c.predicted!.vsReported!.explanation,
      partial: !!c.predicted!.partial,
    }));
  const notes: string[] = [];
  for (const w of t.compactions) notes.push(w.explanation);
  if (t.strategy.favours !== 'unknown') notes.push(`${t.strategy.favours === 'masking' ? 'Masking earlier turns' : 'Restarting from a summary'} is favoured: ${t.strategy.explanation}`);
  if (a.parent) notes.push(`A subagent${a.agentId ? ` (${a.agentId})` : ''} of ${a.parent.split(/[\\/]/).pop()}.`);
  const view: SessionView = {
    file: a.file,
    fileName,
    sourceLabel: SOURCE_LABELS[a.source] ?? String(a.source),
    headline: t.callsWithUsage ? `${formatPercent(r.promptTokens ? r.cacheReadTokens / r.promptTokens : 0)} read from cache` : a.calls.length ? 'no reported usage' : 'no calls',
    facts,
    bars: a.calls.map(barOf),
    maxPrompt: Math.max(1, ...a.calls.map((c) => c.reported?.promptTokens ?? 0)),
    breaks,
    agreement: t.agreement ? t.agreement.explanation : null,
    predicted,
    problems: a.problems.map((p) => ({ where: `${p.file.split(/[\\/]/).pop()}${p.line ? `:${p.line}` : ''}`, severity: p.severity, message: p.message.replace(/^line \d+(, column \d+)?: /, '') })),
    notes,
  };
  if (extra.timing) view.timing = extra.timing;
  return view;
}

/** The call the diff compares with: the one whose entry it should have read (as the worker chooses it). */
export function againstCallOf(a: SessionAudit, index: number): number | null {
  const c = a.calls[index];
  if (!c) return null;
  return c.break?.againstCall ?? c.predicted?.againstCall ?? (index > 0 ? index - 1 : null);
}

/** The selected call's lines: reported, predicted, the difference and what explains it, the break. */
export function selectedCallView(a: SessionAudit, index: number, diff?: { excerpt: RequestDiffExcerpt | null; reason?: string }, promptLink?: PromptFileLink): SelectedCallView {
  const c = a.calls[index];
  const against = againstCallOf(a, index);
  const where = c ? whereOf(c) : '';
  const title = `call ${index}${where ? ` (${where})` : ''}${against !== null ? ` against call ${against}, the call whose cache entry it should have read` : ''}`;
  const lines: string[] = [];
  if (c?.reported) {
    const u = c.reported;
    lines.push(`Reported: ${formatCount(u.promptTokens)} prompt tokens — ${formatCount(u.cacheReadTokens)} read from cache, ${formatCount(u.cacheWriteTokens)} written, ${formatCount(u.inputTokens)} uncached; ${formatCount(u.outputTokens)} output.`);
  } else lines.push('Reported: no usage in the log.');
  if (c?.predicted) {
    const p = c.predicted;
    lines.push(`Predicted: ${formatCount(p.promptTokens)} prompt tokens, ${formatCount(p.cachedTokens)} cached under the provider's rule${p.partial ? ' (the log holds part of the request: a lower bound)' : ''}${p.encodingNote ? ` (${p.encodingNote})` : ''}.`);
    if (p.vsReported && c.reported) {
      const d = predictedDifference(c);
      lines.push(`Difference: the provider read ${formatCount(Math.abs(d))} ${d >= 0 ? 'more' : 'fewer'} tokens from cache than predicted${p.vsReported.scaledCachedTokens !== undefined ? ' (scaled to the provider\'s tokenizer)' : ''} — ${p.vsReported.explanation}.`);
    }
  }
  if (c?.break) lines.push(`Break (${causeLabel(c)}): ${c.break.explanation}.`);
  const v: SelectedCallView = { index, title, lines };
  if (diff === undefined) v.loading = true;
  else if (diff.excerpt) v.diff = diff.excerpt;
  else v.note = diff.reason ?? 'no request diff';
  if (promptLink) v.promptLink = promptLink;
  return v;
}

// ---- Live session (status bar) ------------------------------------------------------------------------------------

/** What the status bar needs of a live session (src/core/sessions/tail.ts LiveSessionStatus, structurally). */
export interface LiveFigures {
  hitRatio: number | null;
  calls: number;
  last: { expiresAt: number | null; entryTokens: number; lifetime: { label: string } } | null;
}

/** "3:12", "1:02:05". */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "Session 87% cached · cache cold in 3:12" (or "· cache cold" once the last call's entry expired). */
export function liveStatusText(s: LiveFigures, now: number): string {
  const ratio = s.hitRatio === null ? 'no usage yet' : `${formatPercent(s.hitRatio)} cached`;
  const exp = s.last?.expiresAt ?? null;
  if (exp === null) return `Session ${ratio}`;
  return exp > now ? `Session ${ratio} · cache cold in ${formatCountdown(exp - now)}` : `Session ${ratio} · cache cold`;
}

/** Whether the countdown still needs a tick (the entry has not expired). */
export function countdownRunning(s: LiveFigures, now: number): boolean {
  const exp = s.last?.expiresAt ?? null;
  return exp !== null && exp > now;
}
