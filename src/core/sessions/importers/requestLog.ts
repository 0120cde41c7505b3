// JSONL request logs written by proxies and gateways: one exchange per line (or one such record, or an array of them,
// as a JSON document), either `{request, response}` (each a provider body, or `{url, body}`), or a LiteLLM/Langfuse-style
// record with `messages` (or `input`) beside `usage` (`usageDetails`, or LiteLLM's flat `prompt_tokens`). The request
// body is rebuilt from such a record's fields.
import { exchangeCall } from '../exchange';
import { isObject, isoTime, num, pushCall, str, type ImportContext, type LogImporter, type RecordReader, type SniffInput } from '../importer';
import { normalizeUsage } from '../usage';

function looksLikeRecord(v: unknown): number {
  if (!isObject(v)) return 0;
  if (isObject(v.request) && ('response' in v || isObject(v.request.body) || Array.isArray(v.request.messages))) return 0.8;
  const msgs = Array.isArray(v.messages) || (isObject(v.input) && Array.isArray(v.input.messages)) || (Array.isArray(v.input) && v.type === 'GENERATION');
  if (msgs && (isObject(v.usage) || isObject(v.usageDetails) || 'prompt_tokens' in v || isObject(v.response))) return 0.75;
  return 0;
}

function sniff(input: SniffInput): number {
  let best = 0;
  for (const v of input.firstValues.slice(0, 10)) best = Math.max(best, Array.isArray(v) ? Math.max(0, ...v.slice(0, 10).map(looksLikeRecord)) : looksLikeRecord(v));
  return best;
}

function unwrap(v: unknown): { url?: string; body: unknown } {
  if (isObject(v) && isObject(v.body) && ('url' in v || 'method' in v || 'headers' in v)) return { url: str(v.url), body: v.body };
  if (isObject(v) && typeof v.body === 'string' && ('url' in v || 'method' in v)) {
    try {
      return { url: str(v.url), body: JSON.parse(v.body) };
    } catch {
      return { url: str(v.url), body: undefined };
    }
  }
  return { body: v };
}

function createReader(ctx: ImportContext): RecordReader {
  const s = ctx.session;
  // `at` is a line of the JSONL form, or entry n of a whole-document form (one pretty-printed record, as LiteLLM's
  // loggers' payload is often saved, or an array of them), whose file lines are not the records'.
  const one = (v: unknown, at: { line?: number; entry?: number }) => {
    const line = at.line;
    if (!isObject(v)) {
      ctx.problem(line, 'warning', `${line ? '' : `entry ${at.entry}: `}not a JSON object: skipped`);
      return;
    }
    const ts = isoTime(v.timestamp ?? v.startTime ?? v.start_time ?? v.created_at ?? v.createdAt ?? v.time);
    if (isObject(v.request)) {
      const req = unwrap(v.request);
      const res = isObject(v.response) || typeof v.response === 'string' ? unwrap(v.response).body : undefined;
      const call = exchangeCall({ url: req.url ?? str(v.url), requestBody: req.body, requestText: JSON.stringify(req.body), response: res, timestamp: ts, line, entry: at.entry, id: str(v.id), providerHint: ctx.providerHint });
      if (call) pushCall(s, call);
      else ctx.problem(line, 'info', 'the request is not an LLM API body: skipped');
      return;
    }
    // LiteLLM / Langfuse: rebuild the request from the record's fields.
    const input = isObject(v.input) ? v.input : undefined;
    const messages = Array.isArray(v.messages) ? v.messages : Array.isArray(input?.messages) ? input.messages : Array.isArray(v.input) ? v.input : undefined;
    if (!messages) {
      ctx.unknown(str(v.type) ?? '(record without messages)', line ?? 0);
      return;
    }
    const body: Record<string, unknown> = {};
    const model = str(v.model) ?? str(v.model_name) ?? str(input?.model);
    if (model) body.model = model;
    const system = v.system ?? input?.system;
    if (system !== undefined) body.system = system;
    const tools = v.tools ?? input?.tools ?? (isObject(v.model_parameters) ? v.model_parameters.tools : undefined);
    if (tools !== undefined) body.tools = tools;
    body.messages = messages;
    const response = isObject(v.response) ? v.response : isObject(v.output) ? v.output : undefined;
    const call = exchangeCall({ url: str(v.api_base) ?? str(v.url), requestBody: body, requestText: JSON.stringify(body), response, timestamp: ts, line, entry: at.entry, id: str(v.id) ?? str(v.litellm_call_id), providerHint: ctx.providerHint ?? providerHintOf(v) });
    if (!call) {
      ctx.problem(line, 'info', 'the messages are not an LLM request body: skipped');
      return;
    }
    if (!call.usage) {
      const flat = isObject(v.usageDetails) ? v.usageDetails : isObject(v.usage) ? v.usage : 'prompt_tokens' in v ? { prompt_tokens: num(v.prompt_tokens), completion_tokens: num(v.completion_tokens), cache_read_input_tokens: num(v.cache_read_input_tokens), cache_creation_input_tokens: num(v.cache_creation_input_tokens) } : undefined;
      call.usage = normalizeUsage(flat);
    }
    pushCall(s, call);
  };
  return {
    record(v, line) {
      if (line > 0) one(v, { line });
      else if (Array.isArray(v)) v.forEach((r, i) => one(r, { entry: i + 1 }));
      else one(v, { entry: 1 });
    },
    finish() {},
  };
}

function providerHintOf(v: Record<string, unknown>): 'anthropic' | 'openai' | 'gemini' | undefined {
  const p = (str(v.custom_llm_provider) ?? str(v.provider) ?? '').toLowerCase();
  if (p.includes('anthropic') || p.includes('bedrock')) return 'anthropic';
  if (p.includes('openai') || p.includes('azure')) return 'openai';
  if (p.includes('gemini') || p.includes('vertex')) return 'gemini';
  return undefined;
}

export const requestLogImporter: LogImporter = { id: 'request-log', label: 'JSONL request log', shape: 'auto', sniff, createReader };
