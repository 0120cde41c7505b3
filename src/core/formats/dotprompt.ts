// Dotprompt (`.prompt`, Genkit): YAML front matter (model, config, input/output schemas, tools) and a Handlebars
// body with Dotprompt's helpers (`{{role "system"}}`, `{{history}}`, `{{media}}`, `{{json}}`, `{{section}}`).
// Rendered with the dotprompt package's own Handlebars setup when variables are known; as Dotprompt does, the body is
// trimmed and `input.default` fills inputs the variables leave out. Each `{{role}}` starts a message.
import type { ExtractedPrompt, PromptSegment } from '../types';
import { cutRendered, type RenderedCut } from './cut';
import { requestKeysOf, splitFrontMatter, type RequestKeySpec } from './frontMatter';
import type { PromptFormatModule } from './registry';
import { extractTemplate } from './templated';

/**
 * `config` (temperature, topK…) only shapes sampling, except the model's built-in tools it carries; `name`,
 * `variant`, `description`, `metadata` are bookkeeping.
 */
export const DOTPROMPT_REQUEST_KEYS: RequestKeySpec = {
  model: { why: 'another model: a cold cache' },
  'config.version': { why: 'another model version: a cold cache' },
  tools: { why: 'the tool schemas sent ahead of the prompt change' },
  toolDefs: { why: 'the tool schemas sent ahead of the prompt change' },
  // Model plugins take their built-in tools in `config` (Gemini: `tools: [{googleSearch: {}}]` in genkit-ai/samples).
  'config.tools': { why: 'the tools sent with the prompt change' },
  'config.googleSearchRetrieval': { why: 'the tools sent with the prompt change' },
  'config.codeExecution': { why: 'the tools sent with the prompt change' },
  output: { why: 'the output format or schema sent with the prompt changes' },
};

export const dotpromptFormat: PromptFormatModule = {
  id: 'dotprompt',
  description: 'Dotprompt (`.prompt`): YAML front matter and a Handlebars body, rendered as Dotprompt does',
  fileNames: ['**/*.prompt'],
  extract(source, ctx) {
    const fm = splitFrontMatter(source);
    const data = (fm.data && typeof fm.data === 'object' ? fm.data : {}) as Record<string, unknown>;
    const input = data.input && typeof data.input === 'object' ? (data.input as Record<string, unknown>) : {};
    const defaults = input.default && typeof input.default === 'object' && !Array.isArray(input.default) ? (input.default as Record<string, unknown>) : undefined;
    // Dotprompt trims the template.
    let start = fm.bodyStart;
    let end = source.length;
    while (start < end && /\s/.test(source[start])) start++;
    while (end > start && /\s/.test(source[end - 1])) end--;
    const p = extractTemplate(
      source,
      start,
      { format: 'dotprompt', dialect: 'handlebars', engine: 'dotprompt', extensions: ['.prompt'], partialPrefixes: ['_'], escape: false, ownVars: defaults && { vars: defaults, from: 'front matter `input.default`' } },
      ctx,
      end,
    );
    if (p.rendering?.mode !== 'engine') staticMessages(p);
    p.problems.unshift(...fm.problems);
    if (fm.range) p.frontMatter = fm.range;
    const keys = requestKeysOf(fm, DOTPROMPT_REQUEST_KEYS);
    if (Object.keys(keys).length) p.requestKeys = keys;
    return p;
  },
};

/**
 * The static reading keeps tags as markers; Dotprompt's `{{role "x"}}` and `{{history}}` are not text but message
 * boundaries (what the engine rendering makes of them too), and `{{media}}` is a part of its own.
 */
function staticMessages(p: ExtractedPrompt): void {
  const cuts: RenderedCut[] = [];
  const starts: { at: number; role: string }[] = [];
  for (const ph of p.placeholders ?? []) {
    const role = /^role\s+["']([a-z]+)["']$/.exec(ph.expr)?.[1] ?? (ph.expr === 'history' ? 'history' : undefined);
    if (role) {
      cuts.push({ start: ph.renderedStart, end: ph.renderedEnd, boundary: true });
      starts.push({ at: ph.renderedStart, role });
    } else if (/^media\b/.test(ph.expr)) {
      cuts.push({ start: ph.renderedStart, end: ph.renderedStart, boundary: true }, { start: ph.renderedEnd, end: ph.renderedEnd, boundary: true });
    }
  }
  if (cuts.length === 0) return;
  const removedBefore = (o: number) => cuts.filter((c) => c.end <= o).reduce((n, c) => n + c.end - c.start, 0);
  const messageStarts = starts.map((s) => ({ at: s.at - removedBefore(s.at), role: s.role }));
  cutRendered(p, cuts);
  const messages: PromptSegment[] = [];
  if (messageStarts.length && messageStarts[0].at > 0 && p.text.slice(0, messageStarts[0].at).trim()) messages.push({ name: 'messages[0] (user)', start: 0, end: messageStarts[0].at });
  messageStarts.forEach((m, i) => messages.push({ name: `messages[${messages.length}] (${m.role})`, start: m.at, end: messageStarts[i + 1]?.at ?? p.text.length }));
  p.segments.push(...messages.filter((m) => m.end > m.start));
}
