// Prompty (`.prompty`): YAML front matter (model, sample inputs, template engine) and a Jinja (or Mustache) body with
// `system:` / `user:` role lines. The front matter's `sample` gives the variables to render with.
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ExtractedPrompt, ParseProblem, PromptSegment } from '../types';
import type { ExtractContext } from './context';
import { cutRendered, type RenderedCut } from './cut';
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
    const sampleProblems: ParseProblem[] = [];
    const sample = sampleOf(data.sample, ctx, sampleProblems, fm.keyRanges?.sample ?? { start: 0, end: 0 });
    const p = extractTemplate(
      source,
      fm.bodyStart,
      mustache
        ? { format: 'prompty', dialect: 'handlebars', engine: 'mustache', extensions: ['.mustache'], escape: false, ownVars: sample && { vars: sample, from: 'front matter `sample`' }, ownVarsRender: !!sample }
        : { format: 'prompty', dialect: 'jinja', engine: 'nunjucks', extensions: ['.prompty', '.j2', '.jinja2'], ownVars: sample && { vars: sample, from: 'front matter `sample`' }, ownVarsRender: !!sample },
      ctx,
    );
    roleMessages(p);
    p.problems.unshift(...fm.problems, ...sampleProblems);
    if (fm.range) p.frontMatter = fm.range;
    const keys = requestKeysOf(fm, { ...PROMPTY_REQUEST_KEYS, template: { why: 'another template engine renders the body differently' } });
    if (Object.keys(keys).length) p.requestKeys = keys;
    return p;
  },
};

/** `sample:` inline, or `${file:chat.json}` (a JSON or YAML file beside the .prompty, as Prompty reads it). */
function sampleOf(v: unknown, ctx: ExtractContext, problems: ParseProblem[], at: { start: number; end: number }): Record<string, unknown> | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  const ref = typeof v === 'string' ? /^\$\{file:([^}]+)\}$/.exec(v.trim())?.[1] : undefined;
  if (!ref || !ctx.includes.enabled) return undefined;
  const r = ctx.includes.resolve(ref.trim(), undefined);
  if (!r.ok) {
    problems.push({ message: `Sample ${'`'}${v as string}${'`'}: ${r.problem}; the template is read statically.`, severity: 'info', start: at.start, end: at.end });
    return undefined;
  }
  try {
    const parsed: unknown = path.extname(r.path).toLowerCase() === '.json' ? JSON.parse(r.source) : parseYaml(r.source);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch (e) {
    problems.push({ message: `Sample ${'`'}${r.rel}${'`'} could not be parsed: ${(e as Error).message.split('\n')[0]}.`, severity: 'info', start: at.start, end: at.end });
  }
  return undefined;
}

// Prompty's chat parser: a line that is only a role name (optionally with `[key=value]` attributes) and a colon
// starts a message; the line itself is not sent, and each message's content is trimmed.
const ROLE_LINE = /^[ \t]*#?[ \t]*(assistant|function|tool|system|user|developer)(\[[^\]\n]*\])?[ \t]*:[ \t]*(\r?\n|$)/gim;

function roleMessages(p: ExtractedPrompt): void {
  const lines = [...p.text.matchAll(ROLE_LINE)];
  if (lines.length === 0) return;
  const cuts: RenderedCut[] = [];
  const messages: { role: string; start: number; end: number }[] = [];
  lines.forEach((m, i) => {
    const lineStart = m.index ?? 0;
    let start = lineStart + m[0].length;
    let end = i + 1 < lines.length ? lines[i + 1].index ?? p.text.length : p.text.length;
    const contentEnd = end;
    while (start < end && /\s/.test(p.text[start])) start++;
    while (end > start && /\s/.test(p.text[end - 1])) end--;
    cuts.push({ start: lineStart, end: start, boundary: true }, { start: end, end: contentEnd });
    messages.push({ role: m[1].toLowerCase(), start, end });
  });
  // Text before the first role line is trimmed away too only when it is blank.
  const first = lines[0].index ?? 0;
  if (p.text.slice(0, first).trim() === '') cuts.push({ start: 0, end: first });
  const removedBefore = (o: number) => mergedLength(cuts, o);
  const segments: PromptSegment[] = messages.map((m, i) => ({ name: `messages[${i}] (${m.role})`, start: m.start - removedBefore(m.start), end: m.end - removedBefore(m.end) }));
  cutRendered(p, cuts);
  p.segments.push(...segments.filter((s) => s.end > s.start));
}

/** Length of the (possibly overlapping) cuts that end at or before `o`. */
function mergedLength(cuts: readonly RenderedCut[], o: number): number {
  const sorted = [...cuts].sort((a, b) => a.start - b.start);
  let n = 0;
  let reach = -1;
  for (const c of sorted) {
    if (c.start >= o) break;
    const s = Math.max(c.start, reach);
    const e = Math.min(c.end, o);
    if (e > s) n += e - s;
    reach = Math.max(reach, c.end);
  }
  return n;
}
