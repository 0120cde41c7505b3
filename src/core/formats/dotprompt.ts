// Dotprompt (`.prompt`, Genkit): YAML front matter (model, config, input/output schemas, tools) and a Handlebars
// body with Dotprompt's helpers (`{{role "system"}}`, `{{history}}`, `{{media}}`, `{{json}}`, `{{section}}`).
// Rendered with the dotprompt package's own Handlebars setup when variables are known; as Dotprompt does, the body is
// trimmed and `input.default` fills inputs the variables leave out. Each `{{role}}` starts a message.
import { requestKeysOf, splitFrontMatter, type RequestKeySpec } from './frontMatter';
import type { PromptFormatModule } from './registry';
import { extractTemplate } from './templated';

/** `config` (temperature, topK…) only shapes sampling; `name`, `variant`, `description`, `metadata` are bookkeeping. */
export const DOTPROMPT_REQUEST_KEYS: RequestKeySpec = {
  model: { why: 'another model: a cold cache' },
  'config.version': { why: 'another model version: a cold cache' },
  tools: { why: 'the tool schemas sent ahead of the prompt change' },
  toolDefs: { why: 'the tool schemas sent ahead of the prompt change' },
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
      { format: 'dotprompt', dialect: 'handlebars', engine: 'dotprompt', extensions: ['.prompt'], escape: false, ownVars: defaults && { vars: defaults, from: 'front matter `input.default`' } },
      ctx,
      end,
    );
    p.problems.unshift(...fm.problems);
    if (fm.range) p.frontMatter = fm.range;
    const keys = requestKeysOf(fm, DOTPROMPT_REQUEST_KEYS);
    if (Object.keys(keys).length) p.requestKeys = keys;
    return p;
  },
};
