// Claude Code sessions: ~/.claude/projects/<project>/<session>.jsonl and <session>/subagents/agent-<id>.jsonl.
// One JSON object per line. Assistant lines repeat `usage` once per content block, so one API call is one
// `message.id` + `requestId`. The history of a call is its line's `parentUuid` chain; a `compact_boundary` system line
// restarts it. The file holds the messages but not the system prompt or the tool schemas.
import { appendPieces, contentBlocks } from '../conversation';
import { isObject, isoTime, str, type ImportContext, type LogImporter, type RecordReader, type SniffInput } from '../importer';
import type { ConversationNode, ImportedCall } from '../types';
import { anthropicUsage, mergeUsage } from '../usage';

/** Line types Claude Code writes that carry no API call and no message; they are skipped without a message. */
const KNOWN_OTHER = new Set(['summary', 'file-history-snapshot', 'queue-operation', 'progress', 'attachment', 'ai-title', 'custom-title', 'tag', 'result', 'last-prompt', 'agent-name', 'pr-link', 'worktree-state', 'mode', 'permission-mode']);

function sniff(input: SniffInput): number {
  let score = 0;
  for (const v of input.firstValues) {
    if (!isObject(v)) continue;
    if (typeof v.sessionId === 'string' && ('parentUuid' in v || 'isSidechain' in v)) return 0.95;
    if ((v.type === 'summary' && 'leafUuid' in v) || (v.type === 'file-history-snapshot' && 'messageId' in v)) score = Math.max(score, 0.6);
    if ((v.type === 'user' || v.type === 'assistant') && isObject(v.message) && 'uuid' in v) score = Math.max(score, 0.8);
  }
  return score;
}

interface PendingCall {
  call: ImportedCall;
  /** The uuid of the call's latest content-block line. */
  lastUuid?: string;
}

function createReader(ctx: ImportContext): RecordReader {
  const s = ctx.session;
  s.provider = 'anthropic';
  const tailByUuid = new Map<string, ConversationNode | null>();
  // Each line's parent and whether it is a user message: a call's blocks follow each other; a user line between two
  // lines with the same id means a second call (a gateway that repeats or truncates message ids, no requestId).
  const lineInfo = new Map<string, { parent: string | undefined; user: boolean }>();
  const userBetween = (from: string | undefined, to: string | undefined): boolean => {
    for (let u = from, steps = 0; u && steps < 64; steps++) {
      if (u === to) return false;
      const info = lineInfo.get(u);
      if (!info) return false;
      if (info.user) return true;
      u = info.parent;
    }
    return false;
  };
  const calls = new Map<string, PendingCall>();
  // A compaction or an interruption applies to the next call of the same line (main or sidechain).
  const pendingCompaction = new Map<boolean, ImportedCall['compaction']>();
  const pendingInterruption = new Map<boolean, number>();
  let sawSidechainOnly = true;
  let agentId: string | undefined;
  // Lines Claude Code writes for a failed request (`isApiErrorMessage`, model `<synthetic>`): not calls, but worth
  // saying (real sessions: a billing error or a failed login is the whole file; a rate limit explains a gap).
  const apiErrors: { line: number; kind: string }[] = [];

  const parentTail = (v: Record<string, unknown>): ConversationNode | null => {
    const p = str(v.parentUuid);
    return p ? tailByUuid.get(p) ?? null : null;
  };

  return {
    record(v, line) {
      if (!isObject(v)) {
        ctx.problem(line, 'warning', 'not a JSON object: skipped');
        return;
      }
      const type = str(v.type);
      const uuid = str(v.uuid);
      const sidechain = v.isSidechain === true;
      if (uuid) lineInfo.set(uuid, { parent: str(v.parentUuid), user: type === 'user' });
      if (type === 'user' || type === 'assistant') {
        if (!sidechain) sawSidechainOnly = false;
        if (typeof v.agentId === 'string') agentId ??= v.agentId;
        if (typeof v.sessionId === 'string') s.sessionId ??= v.sessionId;
        const msg = isObject(v.message) ? v.message : undefined;
        const before = parentTail(v);
        const blocks = contentBlocks(msg?.content);
        const role = str(msg?.role) ?? type;
        const model = str(msg?.model);
        const usage = isObject(msg?.usage) ? anthropicUsage(msg.usage) : null;
        if (type === 'assistant' && v.isApiErrorMessage === true) apiErrors.push({ line, kind: str(v.error) ?? (typeof v.apiErrorStatus === 'number' ? `HTTP ${v.apiErrorStatus}` : 'error') });
        if (type === 'assistant' && model !== '<synthetic>' && v.isApiErrorMessage !== true && usage) {
          const key = `${str(msg?.id) ?? uuid ?? line}|${str(v.requestId) ?? ''}`;
          let known = calls.get(key);
          // The newer call takes the key over: its later blocks find it, the earlier call has no more blocks.
          if (known && !v.requestId && userBetween(str(v.parentUuid), known.lastUuid)) known = undefined;
          if (known) {
            known.lastUuid = uuid ?? known.lastUuid;
            // A later content block of the same call: same history; the last usage is the final one.
            known.call.usage = mergeUsage(known.call.usage, usage);
          } else {
            const call: ImportedCall = {
              id: str(v.requestId) ?? str(msg?.id) ?? `line-${line}`,
              line,
              timestamp: isoTime(v.timestamp),
              model,
              provider: 'anthropic',
              usage,
              conversation: { tail: before, layout: 'anthropic-messages', partialNote: 'Claude Code logs the messages, not the system prompt or the tool schemas' },
            };
            const diag = isObject(msg?.diagnostics) ? msg.diagnostics : isObject(v.diagnostics) ? v.diagnostics : undefined;
            const reason = isObject(diag?.cache_miss_reason) ? diag.cache_miss_reason : undefined;
            if (reason && typeof reason.type === 'string') call.missReason = { type: reason.type, missedTokens: typeof reason.cache_missed_input_tokens === 'number' ? reason.cache_missed_input_tokens : undefined };
            if (sidechain) call.sidechain = true;
            if (typeof v.agentId === 'string') call.agentId = v.agentId;
            const pc = pendingCompaction.get(sidechain);
            if (pc) {
              call.compaction = pc;
              pendingCompaction.delete(sidechain);
            }
            const pi = pendingInterruption.get(sidechain);
            if (pi !== undefined) {
              call.interruption = { line: pi };
              pendingInterruption.delete(sidechain);
            }
            calls.set(key, { call, lastUuid: uuid });
            s.calls.push(call);
          }
        }
        if (type === 'user' && blocks.some((b) => isObject(b) && typeof b.text === 'string' && b.text.startsWith('[Request interrupted by user'))) pendingInterruption.set(sidechain, line);
        const tail = appendPieces(before, role, blocks);
        if (uuid) tailByUuid.set(uuid, tail);
        return;
      }
      if (type === 'system') {
        if (v.subtype === 'compact_boundary') {
          const meta = isObject(v.compactMetadata) ? v.compactMetadata : {};
          pendingCompaction.set(sidechain, {
            trigger: str(meta.trigger),
            preTokens: typeof meta.preTokens === 'number' ? meta.preTokens : undefined,
            postTokens: typeof meta.postTokens === 'number' ? meta.postTokens : undefined,
            line,
          });
          // The history restarts here (the summary follows as a user line with isCompactSummary).
          if (uuid) tailByUuid.set(uuid, null);
          return;
        }
        if (uuid) tailByUuid.set(uuid, parentTail(v));
        return;
      }
      if (type && KNOWN_OTHER.has(type)) {
        if (uuid) tailByUuid.set(uuid, parentTail(v));
        return;
      }
      if (uuid) tailByUuid.set(uuid, parentTail(v));
      ctx.unknown(type ?? '(no type)', line);
    },
    finish() {
      if (sawSidechainOnly && s.calls.length > 0 && agentId) s.agentId = agentId;
      if (apiErrors.length) {
        const kinds = [...new Set(apiErrors.map((e) => e.kind))].join(', ');
        ctx.problem(apiErrors[0].line, 'info', `${apiErrors.length === 1 ? 'an API error line' : `${apiErrors.length} API error lines`} (${kinds}): the request failed, not counted as a call`);
      }
    },
  };
}

export const claudeCodeImporter: LogImporter = { id: 'claude-code', label: 'Claude Code session', shape: 'lines', sniff, createReader };
