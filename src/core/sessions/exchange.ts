// One request/response exchange with an LLM API, whatever carried it (a HAR entry, a proxy's log line): which API the
// body is for, its model, and the usage in the response — JSON, or a server-sent event stream where usage arrives in
// the last event (OpenAI), in `message_start` + `message_delta` (Anthropic) or in every chunk (Gemini).
import { detectFlavour } from '../formats';
import type { ProviderId } from '../ids';
import { isObject, str } from './importer';
import { guessProvider } from './rules';
import type { ImportedCall, ReportedUsage } from './types';
import { anthropicUsage, mergeUsage, normalizeUsage } from './usage';

/** The provider: from the URL, else the caller's hint (a gateway's provider field), else the model, else the body's shape. */
export function providerOf(url: string | undefined, body: unknown, hint?: ProviderId): ProviderId | undefined {
  const u = (url ?? '').toLowerCase();
  if (u.includes('anthropic.com') || /\/v1\/messages\b/.test(u)) return 'anthropic';
  if (u.includes('generativelanguage.googleapis.com') || u.includes('aiplatform.googleapis.com') || /:(stream)?generatecontent/.test(u)) return 'gemini';
  if (u.includes('deepseek.com')) return 'deepseek';
  if (u.includes('openai.com') || /\/(chat\/completions|responses)\b/.test(u)) return 'openai';
  if (hint) return hint;
  const byModel = guessProvider(isObject(body) ? str(body.model) : undefined);
  if (byModel) return byModel;
  switch (detectFlavour(body)) {
    case 'json-anthropic':
      return 'anthropic';
    case 'json-gemini':
      return 'gemini';
    case 'json-openai-chat':
    case 'json-openai-responses':
      return 'openai';
    default:
      return undefined;
  }
}

/** A body is an LLM request when it has the shape of one of the APIs json.ts renders. */
export function isLlmRequest(body: unknown): boolean {
  return isObject(body) && detectFlavour(body) !== 'json';
}

export function modelOf(url: string | undefined, body: unknown, response: unknown): string | undefined {
  if (isObject(body) && typeof body.model === 'string') return body.model;
  const m = /\/models\/([^/:?]+)[:/]/.exec(url ?? '');
  if (m) return decodeURIComponent(m[1]);
  if (isObject(response)) return str(response.model) ?? str(response.modelVersion) ?? (isObject(response.message) ? str(response.message.model) : undefined);
  return undefined;
}

function usageIn(value: unknown): ReportedUsage | null {
  if (!isObject(value)) return null;
  if (isObject(value.usage)) return normalizeUsage(value.usage);
  if (isObject(value.usageMetadata)) return normalizeUsage(value.usageMetadata);
  if (isObject(value.response) && isObject(value.response.usage)) return normalizeUsage(value.response.usage); // Responses API `response.completed`
  if (isObject(value.message) && isObject(value.message.usage)) return anthropicUsage(value.message.usage); // `message_start`
  return null;
}

/** Usage and model from a response body: a JSON value, JSON text, or an SSE stream. */
export function parseResponse(body: unknown): { usage: ReportedUsage | null; model?: string } {
  if (typeof body !== 'string') return { usage: usageIn(body), model: isObject(body) ? str(body.model) : undefined };
  const t = body.trim();
  if (t.startsWith('{')) {
    try {
      const v = JSON.parse(t) as unknown;
      return { usage: usageIn(v), model: isObject(v) ? str(v.model) ?? str(v.modelVersion) : undefined };
    } catch {
      // not one JSON document: maybe a stream after all
    }
  }
  let usage: ReportedUsage | null = null;
  let model: string | undefined;
  for (const line of t.split(/\r?\n/)) {
    const m = /^data:\s?(.*)$/.exec(line);
    if (!m || m[1] === '[DONE]') continue;
    try {
      const ev = JSON.parse(m[1]) as unknown;
      if (!isObject(ev)) continue;
      model ??= str(ev.model) ?? str(ev.modelVersion) ?? (isObject(ev.message) ? str(ev.message.model) : undefined) ?? (isObject(ev.response) ? str(ev.response.model) : undefined);
      const u = ev.type === 'message_delta' && isObject(ev.usage) ? anthropicDelta(ev.usage) : usageIn(ev);
      if (u) usage = mergeUsage(usage, u);
    } catch {
      // a partial event line: skip
    }
  }
  return { usage, model };
}

/** `message_delta` carries the final output count and, on newer builds, the cache counts again. */
function anthropicDelta(u: Record<string, unknown>): ReportedUsage {
  return anthropicUsage({ input_tokens: 0, ...u });
}

/** A call from one exchange; null when the body is not an LLM request. */
export function exchangeCall(args: { url?: string; requestBody: unknown; requestText: string; response: unknown; timestamp?: string; line?: number; entry?: number; id?: string; providerHint?: ProviderId }): Omit<ImportedCall, 'id'> & { id?: string } | null {
  if (!isLlmRequest(args.requestBody)) return null;
  const { usage, model: respModel } = parseResponse(args.response);
  const provider = providerOf(args.url, args.requestBody, args.providerHint);
  return {
    id: args.id,
    line: args.line || undefined,
    entry: args.entry,
    timestamp: args.timestamp,
    model: modelOf(args.url, args.requestBody, undefined) ?? respModel,
    provider,
    usage,
    request: { body: args.requestBody, text: args.requestText },
  };
}
