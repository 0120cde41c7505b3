// OpenAI Codex CLI rollouts: ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl, lines `{timestamp, type, payload}`.
// Each call has an `event_msg` of type `token_count` whose `info.last_token_usage` is that call's usage (input
// includes cached); the same event is often written twice (again at the start of the next request): a call is counted
// once, by its running total. The request is the history of `response_item`s before the call's first output item,
// after the session's base instructions; the tool schemas are not in the rollout. Where the token count sits depends on
// the version: recent ones (0.14x) write the call's output items first and its token count after them; older ones
// (0.60.1, pinouchon/rtchess) write the token count first and the output items after it, so those items belong to the
// call just counted, not to the next. `compacted` (with its replacement history) and `context_compacted` mark
// compactions; `turn_context` sets the model. Items Codex never sends (`ghost_snapshot`, system messages) are left out,
// as codex-rs's `is_api_message` leaves them out.
import { appendPieces } from '../conversation';
import { isObject, isoTime, num, str, type ImportContext, type LogImporter, type RecordReader, type SniffInput } from '../importer';
import type { ConversationNode, ImportedCall, ReportedUsage } from '../types';
import { normalizeUsage } from '../usage';

const TYPES = new Set(['session_meta', 'response_item', 'turn_context', 'event_msg', 'compacted']);
const OUTPUT_ITEMS = new Set(['reasoning', 'function_call', 'custom_tool_call', 'local_shell_call', 'web_search_call', 'image_generation_call']);
const TOOL_OUTPUTS = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output']);
/** Response items codex-rs records but never sends (`is_api_message` is false for them). */
const NOT_SENT = new Set(['ghost_snapshot', 'compaction_trigger', 'other']);
const QUIET_EVENTS = new Set(['user_message', 'agent_message', 'agent_reasoning', 'agent_reasoning_raw_content', 'task_started', 'task_complete', 'turn_aborted', 'exec_command_end', 'patch_apply_end', 'mcp_tool_call_end', 'web_search_end', 'turn_diff', 'entered_review_mode', 'exited_review_mode', 'shutdown_complete']);

function sniff(input: SniffInput): number {
  for (const v of input.firstValues) {
    if (isObject(v) && typeof v.type === 'string' && TYPES.has(v.type) && isObject(v.payload) && 'timestamp' in v) return 0.95;
  }
  return 0;
}

function roleOf(item: Record<string, unknown>): { role: string; output: boolean } {
  const t = str(item.type);
  if (t === 'message') {
    const role = str(item.role) ?? 'user';
    return { role, output: role === 'assistant' };
  }
  if (t && TOOL_OUTPUTS.has(t)) return { role: 'tool', output: false };
  if (t && OUTPUT_ITEMS.has(t)) return { role: 'assistant', output: true };
  return { role: 'user', output: false };
}

/**
 * An item as it counts in the next request. A reasoning item's `encrypted_content` is an opaque blob the server
 * decrypts, not text the model reads: tokenizing its base64 counted ~300 tokens per item where the reported prompt grew
 * by the call's output (pinouchon/rtchess: +89 tokens after a call with 0 reasoning tokens).
 */
function sentForm(item: Record<string, unknown>): Record<string, unknown> {
  if (item.type !== 'reasoning' || typeof item.encrypted_content !== 'string') return item;
  const { encrypted_content: _dropped, ...rest } = item;
  return rest;
}

function sub(a: Record<string, unknown>, b: Record<string, unknown> | null): Record<string, unknown> {
  if (!b) return a;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) out[k] = (num(v) ?? 0) - (num(b[k]) ?? 0);
  return out;
}

function createReader(ctx: ImportContext): RecordReader {
  const s = ctx.session;
  s.provider = 'openai';
  let model: string | undefined;
  let instructions: string | undefined;
  let tail: ConversationNode | null = null;
  let items = 0;
  let requestTail: ConversationNode | null | undefined;
  let requestTime: string | undefined;
  let lastTotal: string | null = null;
  let lastTotalValue: Record<string, unknown> | null = null;
  let pendingCompaction: ImportedCall['compaction'] | undefined;
  // Older rollouts: the token count came before its call's output items; they are this call's, not the next one's.
  let outputsFollowCount = false;
  // When the current request was sent, as well as the log shows it: its last input item or turn context.
  let inputTime: string | undefined;

  const add = (item: Record<string, unknown>) => {
    const { role, output } = roleOf(item);
    if (!output) outputsFollowCount = false;
    // The base instructions lead every request (as `instructions`): the first piece of each history.
    if (tail === null && instructions) {
      tail = appendPieces(null, 'system', [{ type: 'instructions', text: instructions }]);
      if (tail) tail.piece.label = 'instructions';
    }
    if (output && requestTail === undefined && !outputsFollowCount) requestTail = tail;
    tail = appendPieces(tail, role, [sentForm(item)]);
    if (tail) tail.piece.label = `input[${items}]`;
    items++;
  };

  return {
    record(v, line) {
      if (!isObject(v)) {
        ctx.problem(line, 'warning', 'not a JSON object: skipped');
        return;
      }
      const type = str(v.type);
      const p = isObject(v.payload) ? v.payload : {};
      const ts = isoTime(v.timestamp);
      switch (type) {
        case 'session_meta': {
          s.sessionId ??= str(p.id);
          const bi = isObject(p.base_instructions) ? str(p.base_instructions.text) : str(p.instructions);
          if (bi) instructions = bi;
          return;
        }
        case 'turn_context':
          model = str(p.model) ?? model;
          outputsFollowCount = false;
          inputTime = ts ?? inputTime;
          return;
        case 'response_item': {
          const t = str(p.type);
          if ((t && NOT_SENT.has(t)) || (t === 'message' && p.role === 'system')) return;
          const output = roleOf(p).output;
          if (requestTime === undefined && output && !outputsFollowCount) requestTime = ts;
          if (!output) inputTime = ts ?? inputTime;
          add(p);
          return;
        }
        case 'compacted': {
          const replacement = Array.isArray(p.replacement_history) ? p.replacement_history.filter(isObject) : null;
          tail = null;
          items = 0;
          if (replacement) for (const it of replacement) add(it);
          else if (typeof p.message === 'string') add({ type: 'message', role: 'user', content: [{ type: 'input_text', text: p.message }] });
          requestTail = undefined;
          pendingCompaction = { trigger: 'compacted', line };
          return;
        }
        case 'event_msg': {
          const et = str(p.type);
          if (et === 'context_compacted') {
            pendingCompaction ??= { trigger: 'context_compacted', line };
            return;
          }
          if (et !== 'token_count') {
            if (et && !QUIET_EVENTS.has(et)) ctx.unknown(`event_msg:${et}`, line);
            return;
          }
          const info = isObject(p.info) ? p.info : null;
          if (!info) return;
          const total = isObject(info.total_token_usage) ? info.total_token_usage : null;
          const key = total ? JSON.stringify(total) : null;
          // The same event written twice: one call.
          if (key !== null && key === lastTotal) return;
          const lastU = isObject(info.last_token_usage) ? info.last_token_usage : total ? sub(total, lastTotalValue) : null;
          lastTotal = key;
          lastTotalValue = total;
          const usage: ReportedUsage | null = lastU ? normalizeUsage({ cached_input_tokens: 0, ...lastU }) : null;
          // No output item since the last call: this rollout writes the count before the call's output items.
          const countFirst = requestTail === undefined;
          const call: ImportedCall = {
            id: `turn-${s.calls.length + 1}`,
            line,
            timestamp: requestTime ?? (countFirst ? inputTime : undefined) ?? ts,
            model,
            provider: 'openai',
            usage,
            conversation: { tail: requestTail === undefined ? tail : requestTail, layout: 'responses-input', partialNote: 'the rollout does not record the tool schemas' },
          };
          if (pendingCompaction) {
            call.compaction = pendingCompaction;
            pendingCompaction = undefined;
          }
          s.calls.push(call);
          requestTail = undefined;
          requestTime = undefined;
          outputsFollowCount = countFirst;
          return;
        }
        default:
          ctx.unknown(type ?? '(no type)', line);
      }
    },
    finish() {},
  };
}

export const codexImporter: LogImporter = { id: 'codex', label: 'Codex rollout', shape: 'lines', sniff, createReader };
