// OpenAI Codex CLI rollouts: ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl, lines `{timestamp, type, payload}`.
// A call ends with an `event_msg` of type `token_count` whose `info.last_token_usage` is that call's usage (input
// includes cached); the same event is often written twice: a call is counted once, by its running total. The request
// is the history of `response_item`s before the call's first output item, after the session's base instructions; the
// tool schemas are not in the rollout. `compacted` (with its replacement history) and `context_compacted` mark
// compactions; `turn_context` sets the model.
import { appendPieces } from '../conversation';
import { isObject, isoTime, num, str, type ImportContext, type LogImporter, type RecordReader, type SniffInput } from '../importer';
import type { ConversationNode, ImportedCall, ReportedUsage } from '../types';
import { normalizeUsage } from '../usage';

const TYPES = new Set(['session_meta', 'response_item', 'turn_context', 'event_msg', 'compacted']);
const OUTPUT_ITEMS = new Set(['reasoning', 'function_call', 'custom_tool_call', 'local_shell_call', 'web_search_call', 'image_generation_call']);
const TOOL_OUTPUTS = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output']);
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

  const add = (item: Record<string, unknown>) => {
    const { role, output } = roleOf(item);
    // The base instructions lead every request (as `instructions`): the first piece of each history.
    if (tail === null && instructions) {
      tail = appendPieces(null, 'system', [{ type: 'instructions', text: instructions }]);
      if (tail) tail.piece.label = 'instructions';
    }
    if (output && requestTail === undefined) requestTail = tail;
    tail = appendPieces(tail, role, [item]);
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
          return;
        case 'response_item':
          if (requestTime === undefined && roleOf(p).output) requestTime = ts;
          add(p);
          return;
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
          const call: ImportedCall = {
            id: `turn-${s.calls.length + 1}`,
            line,
            timestamp: requestTime ?? ts,
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
