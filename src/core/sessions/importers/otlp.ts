// OpenTelemetry GenAI spans as OTLP JSON: one `{resourceSpans: […]}` document, or the collector's file exporter
// (one such document per line). Usage from `gen_ai.usage.*` (input includes cached tokens per the conventions; writes
// under `cache_creation.input_tokens` or the `cache_write.input_tokens` that Copilot and the Python GenAI utils emit; the
// deprecated `prompt_tokens`/`completion_tokens`/`cache_read_input_tokens` names too) and OpenInference's
// `llm.token_count.*`. The request is rebuilt from `gen_ai.input.messages` / `gen_ai.prompt…` / `llm.input_messages…`
// when the span carries them.
import { exchangeCall } from '../exchange';
import { isObject, isoTime, num, pushCall, str, type ImportContext, type LogImporter, type RecordReader, type SniffInput } from '../importer';
import type { ImportedCall } from '../types';
import { normalizeUsage } from '../usage';
import { guessProvider } from '../rules';

function sniff(input: SniffInput): number {
  for (const v of input.firstValues) if (isObject(v) && Array.isArray(v.resourceSpans)) return 0.95;
  return /"resourceSpans"\s*:/.test(input.headText.slice(0, 4096)) ? 0.85 : 0;
}

type Attrs = Map<string, unknown>;

function attrValue(v: unknown): unknown {
  if (!isObject(v)) return v;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return num(v.intValue);
  if ('doubleValue' in v) return num(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if (isObject(v.arrayValue) && Array.isArray(v.arrayValue.values)) return v.arrayValue.values.map(attrValue);
  return undefined;
}

function attrsOf(list: unknown): Attrs {
  const m: Attrs = new Map();
  if (Array.isArray(list)) for (const a of list) if (isObject(a) && typeof a.key === 'string') m.set(a.key, attrValue(a.value));
  return m;
}

function first(a: Attrs, ...keys: string[]): unknown {
  for (const k of keys) if (a.has(k) && a.get(k) !== undefined) return a.get(k);
  return undefined;
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Indexed attributes (`gen_ai.prompt.0.role`, `llm.input_messages.0.message.content`) as a list of messages. */
function indexed(a: Attrs, prefix: string, roleKey: string, contentKey: string): { role: string; content: unknown }[] {
  const out: { role: string; content: unknown }[] = [];
  for (let i = 0; ; i++) {
    const role = a.get(`${prefix}.${i}.${roleKey}`);
    const content = a.get(`${prefix}.${i}.${contentKey}`);
    if (role === undefined && content === undefined) break;
    out.push({ role: String(role ?? 'user'), content: content ?? '' });
  }
  return out;
}

/** The semantic conventions' `gen_ai.input.messages` parts → Chat-style messages. */
function fromParts(list: unknown): { role: string; content: unknown }[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.filter(isObject).map((m) => {
    const parts = Array.isArray(m.parts) ? m.parts.filter(isObject) : [];
    const text = parts.length ? parts.map((p) => str(p.content) ?? str(p.text) ?? JSON.stringify(p)).join('') : m.content;
    return { role: str(m.role) ?? 'user', content: text ?? '' };
  });
}

function createReader(ctx: ImportContext): RecordReader {
  const s = ctx.session;
  const found: (Omit<ImportedCall, 'id'> & { id?: string; t: string })[] = [];
  return {
    record(doc, line) {
      if (!isObject(doc) || !Array.isArray(doc.resourceSpans)) {
        // A file exporter writes metrics and logs beside the spans (Copilot's does): name them, they carry no call.
        const kind = isObject(doc) && Array.isArray(doc.resourceMetrics) ? 'resourceMetrics (OTLP metrics)' : isObject(doc) && Array.isArray(doc.resourceLogs) ? 'resourceLogs (OTLP logs)' : '(not an OTLP ExportTraceServiceRequest)';
        ctx.unknown(kind, line);
        return;
      }
      for (const rs of doc.resourceSpans.filter(isObject)) {
        const scopes = Array.isArray(rs.scopeSpans) ? rs.scopeSpans : Array.isArray(rs.instrumentationLibrarySpans) ? rs.instrumentationLibrarySpans : [];
        for (const ss of scopes.filter(isObject)) {
          for (const span of (Array.isArray(ss.spans) ? ss.spans : []).filter(isObject)) {
            const a = attrsOf(span.attributes);
            const model = str(first(a, 'gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name'));
            const input = num(first(a, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt'));
            const output = num(first(a, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion'));
            if (input === undefined && output === undefined) continue;
            const read = num(first(a, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'llm.token_count.prompt_details.cache_read')) ?? 0;
            const write = num(first(a, 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_write.input_tokens', 'gen_ai.usage.cache_creation_input_tokens', 'llm.token_count.prompt_details.cache_write')) ?? 0;
            // The conventions count cached tokens inside input_tokens; some Anthropic instrumentations do not.
            const usage = normalizeUsage({ prompt_tokens: input ?? 0, completion_tokens: output ?? 0, cache_read_input_tokens: read, cache_creation_input_tokens: write });
            const system = str(first(a, 'gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system'));
            const provider = guessProvider(model, system ? guessProvider(system) ?? (system.includes('anthropic') ? 'anthropic' : system.includes('openai') ? 'openai' : system.includes('gemini') || system.includes('vertex') ? 'gemini' : undefined) : ctx.providerHint);
            const messages = fromParts(parseJson(a.get('gen_ai.input.messages'))) ?? (parseJson(a.get('gen_ai.prompt')) as { role: string; content: unknown }[] | undefined) ?? nonEmpty(indexed(a, 'gen_ai.prompt', 'role', 'content')) ?? nonEmpty(indexed(a, 'llm.input_messages', 'message.role', 'message.content'));
            const t = isoTime(span.startTimeUnixNano) ?? '';
            let call: (Omit<ImportedCall, 'id'> & { id?: string }) | null = null;
            if (Array.isArray(messages) && messages.length) {
              const body: Record<string, unknown> = { model, messages };
              const sys = fromParts(parseJson(a.get('gen_ai.system_instructions')));
              if (sys && provider === 'anthropic') body.system = sys.map((m) => String(m.content)).join('\n');
              const tools = parseJson(a.get('gen_ai.tool.definitions'));
              if (Array.isArray(tools)) body.tools = tools;
              call = exchangeCall({ requestBody: body, requestText: JSON.stringify(body), response: undefined, timestamp: t || undefined, line, id: str(span.spanId), providerHint: provider });
              if (call) call.provider = provider ?? call.provider;
            }
            const c = call ?? { id: str(span.spanId), line: line || undefined, timestamp: t || undefined, model, provider, usage: null };
            c.usage = usage;
            c.model ??= model;
            found.push({ ...c, t });
          }
        }
      }
    },
    finish() {
      // Spans arrive in export order, not call order.
      found.sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : 0));
      for (const f of found) {
        const { t: _t, ...call } = f;
        pushCall(s, call);
      }
    },
  };
}

function nonEmpty<T>(xs: T[]): T[] | undefined {
  return xs.length ? xs : undefined;
}

export const otlpImporter: LogImporter = { id: 'otlp', label: 'OTLP JSON trace (GenAI spans)', shape: 'auto', sniff, createReader };
