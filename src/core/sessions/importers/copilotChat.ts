// VS Code Copilot Chat's exported prompt log (`copilot_all_prompts_<time>.chatreplay.json`, "Export All Prompt Logs as
// JSON"): `{exportedAt, totalPrompts, totalLogEntries, prompts[{prompt, promptId, logs[…]}]}`; a log entry of
// `kind: "request"` carries `metadata{model, startTime, usage}` and `requestMessages.messages` (the shape confirmed
// in microsoft/vscode-copilot-chat's chatReplayTypes.ts). Messages use string roles or Copilot's numeric ones
// (0 system, 1 user, 2 assistant, 3 tool) and content as a string or parts `[{type: 1, text}]`.
import { exchangeCall } from '../exchange';
import { isObject, isoTime, pushCall, str, type ImportContext, type LogImporter, type RecordReader, type SniffInput } from '../importer';
import { guessProvider } from '../rules';
import { normalizeUsage } from '../usage';

const ROLES = ['system', 'user', 'assistant', 'tool'];

function sniff(input: SniffInput): number {
  const head = input.headText.slice(0, 4096);
  if (/"exportedAt"\s*:/.test(head) && /"(totalPrompts|prompts)"\s*:/.test(head)) return 0.9;
  return 0;
}

function chatMessage(m: unknown): { role: string; content: string } | null {
  if (!isObject(m)) return null;
  const role = typeof m.role === 'number' ? ROLES[m.role] ?? 'user' : str(m.role) ?? 'user';
  const c = m.content;
  let text = '';
  if (typeof c === 'string') text = c;
  else if (Array.isArray(c)) for (const p of c) text += typeof p === 'string' ? p : isObject(p) && typeof p.text === 'string' ? p.text : '';
  return { role, content: text };
}

function createReader(ctx: ImportContext): RecordReader {
  const s = ctx.session;
  return {
    record(doc) {
      const prompts = isObject(doc) && Array.isArray(doc.prompts) ? doc.prompts : undefined;
      if (!prompts) {
        ctx.problem(undefined, 'error', 'not a Copilot Chat prompt export: no prompts[]');
        return;
      }
      let entry = 0;
      for (const p of prompts.filter(isObject)) {
        for (const log of (Array.isArray(p.logs) ? p.logs : []).filter(isObject)) {
          entry++;
          if (log.kind !== 'request') continue;
          const meta = isObject(log.metadata) ? log.metadata : {};
          const model = str(meta.model);
          const usage = normalizeUsage(meta.usage);
          const rm = isObject(log.requestMessages) ? log.requestMessages : {};
          const messages = (Array.isArray(rm.messages) ? rm.messages : []).map(chatMessage).filter((m): m is { role: string; content: string } => m !== null);
          const provider = guessProvider(model, ctx.providerHint);
          const timestamp = isoTime(meta.startTime);
          const body: Record<string, unknown> = { model, messages };
          if (Array.isArray(meta.tools) && meta.tools.length) body.tools = meta.tools;
          const call = messages.length ? exchangeCall({ requestBody: body, requestText: JSON.stringify(body), response: undefined, timestamp, entry, id: str(log.id), providerHint: provider }) : null;
          // Copilot serves every model through an OpenAI-style endpoint: the prompt is Chat-shaped whatever the model.
          pushCall(s, { ...(call ?? { id: str(log.id), entry, timestamp }), model, provider, usage });
        }
      }
    },
    finish() {},
  };
}

export const copilotChatImporter: LogImporter = { id: 'copilot-chat', label: 'Copilot Chat prompt export', shape: 'document', sniff, createReader };
