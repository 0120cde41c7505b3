// HTTP captures as HAR 1.2 (browser devtools, mitmproxy, Fiddler, Charles exports): `log.entries[]` with the request
// body in `request.postData.text` and the response in `response.content.text` (base64 when `encoding` says so).
// Entries that are not LLM API requests (OpenAI chat/responses, Anthropic messages, Gemini) are skipped.
import { exchangeCall } from '../exchange';
import { isObject, isoTime, pushCall, str, type ImportContext, type LogImporter, type RecordReader, type SniffInput } from '../importer';

function sniff(input: SniffInput): number {
  const head = input.headText.slice(0, 4096);
  if (/"log"\s*:\s*\{/.test(head) && /"(version|creator|entries|pages)"\s*:/.test(head)) return 0.9;
  return /\.har$/i.test(input.fileName) && head.trimStart().startsWith('{') ? 0.3 : 0;
}

function bodyText(content: unknown): string | undefined {
  if (!isObject(content)) return undefined;
  const text = str(content.text);
  if (text === undefined) return undefined;
  return content.encoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text;
}

function createReader(ctx: ImportContext): RecordReader {
  const s = ctx.session;
  return {
    record(doc) {
      const log = isObject(doc) && isObject(doc.log) ? doc.log : undefined;
      const entries = log && Array.isArray(log.entries) ? log.entries : undefined;
      if (!entries) {
        ctx.problem(undefined, 'error', 'not a HAR capture: no log.entries');
        return;
      }
      let skipped = 0;
      entries.forEach((e, i) => {
        const entry = i + 1;
        if (!isObject(e) || !isObject(e.request)) {
          ctx.problem(undefined, 'warning', `entry ${entry}: no request: skipped`);
          return;
        }
        const req = e.request;
        const text = bodyText(req.postData);
        if (!text || !text.trimStart().startsWith('{')) {
          skipped++;
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          ctx.problem(undefined, 'warning', `entry ${entry} (${str(req.url) ?? 'no url'}): request body is not valid JSON: skipped`);
          return;
        }
        const resp = isObject(e.response) ? e.response : {};
        const call = exchangeCall({ url: str(req.url), requestBody: body, requestText: text, response: bodyText(resp.content), timestamp: isoTime(e.startedDateTime), entry, providerHint: ctx.providerHint });
        if (!call) {
          skipped++;
          return;
        }
        if (typeof resp.status === 'number' && resp.status >= 400) ctx.problem(undefined, 'info', `entry ${entry}: HTTP ${resp.status}: the provider refused the request (kept, without usage)`);
        pushCall(s, call);
      });
      if (skipped) ctx.problem(undefined, 'info', `${skipped} entries are not LLM API requests: skipped`);
    },
    finish() {},
  };
}

export const harImporter: LogImporter = { id: 'har', label: 'HAR capture', shape: 'document', sniff, createReader };
