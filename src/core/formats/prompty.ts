// Prompty (`.prompty`): YAML front matter (model, sample inputs, template engine) and a Jinja (or Mustache) body with
// `system:` / `user:` role lines. The front matter's `sample` gives the variables to render with.
import { requestKeysOf, splitFrontMatter, type RequestKeySpec } from './frontMatter';
import type { PromptFormatModule } from './registry';
import { extractTemplate } from './templated';

/** `model.parameters` other than tools (temperature, max_tokens…) do not touch the cached prefix. */
export const PROMPTY_REQUEST_KEYS: RequestKeySpec = {
  'model.api': { why: 'chat vs completion: another request shape' },
  'model.configuration': { why: 'the deployment or model: a cold cache' },
  'model.parameters.tools': { why: 'the tool schemas sent ahead of the prompt change' },
  'model.parameters.response_format': { why: 'the response format sent with the prompt changes' },
};

export const promptyFormat: PromptFormatModule = {
  id: 'prompty',
  description: 'Prompty (`.prompty`): YAML front matter and a Jinja body with role lines; `sample` inputs render it',
  fileNames: ['**/*.prompty'],
  extract(source, ctx) {
    const fm = splitFrontMatter(source);
    const data = (fm.data && typeof fm.data === 'object' ? fm.data : {}) as Record<string, unknown>;
    const template = data.template;
    const mustache = template === 'mustache' || (typeof template === 'object' && template !== null && (template as Record<string, unknown>).format === 'mustache');
    const sample = data.sample && typeof data.sample === 'object' && !Array.isArray(data.sample) ? (data.sample as Record<string, unknown>) : undefined;
    const p = extractTemplate(
      source,
      fm.bodyStart,
      mustache
        ? { format: 'prompty', dialect: 'handlebars', engine: 'mustache', extensions: ['.mustache'], escape: false, ownVars: sample && { vars: sample, from: 'front matter `sample`' }, ownVarsRender: !!sample }
        : { format: 'prompty', dialect: 'jinja', engine: 'nunjucks', extensions: ['.prompty', '.j2', '.jinja2'], ownVars: sample && { vars: sample, from: 'front matter `sample`' }, ownVarsRender: !!sample },
      ctx,
    );
    p.problems.unshift(...fm.problems);
    if (fm.range) p.frontMatter = fm.range;
    const keys = requestKeysOf(fm, { ...PROMPTY_REQUEST_KEYS, template: { why: 'another template engine renders the body differently' } });
    if (Object.keys(keys).length) p.requestKeys = keys;
    return p;
  },
};
