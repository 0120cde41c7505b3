// A template's rendering: by its engine when variables are known (sidecar vars file, promptfoo test vars, a
// Prompty sample), else the static reading (placeholders kept as markers). Either way, the cacheable prefix ends at
// the first output that can vary per request; names declared fixed per deployment do not end it.
import type { ExtractedPrompt, ParseProblem, PromptFormat, PromptPlaceholder } from '../types';
import type { ExtractContext } from './context';
import { ENGINE_VERSIONS, renderWithEngine, type EngineName } from './engines';
import { renderTemplate, type TemplateDialect } from './template';
import { findVars, type FoundVars } from './vars';

export interface TemplateFormat {
  format: PromptFormat;
  dialect: TemplateDialect;
  engine: EngineName;
  /** Extensions tried for include/partial names without one. */
  extensions: readonly string[];
  /** File-name prefixes tried first for partials (Dotprompt's `_name.prompt`). */
  partialPrefixes?: readonly string[];
  /** Handlebars/Mustache: HTML-escape `{{x}}` output (the engines' default). */
  escape?: boolean;
  /** Variables the file itself supplies (Dotprompt `input.default`, Prompty `sample`), under found ones. */
  ownVars?: FoundVars;
  /** Render only with a vars source other than the file's own defaults (Dotprompt defaults cover few inputs). */
  ownVarsRender?: boolean;
}

/** Renders the template in `source` from `bodyStart`. Never throws: a failed engine render falls back, with a note. */
export function extractTemplate(source: string, bodyStart: number, t: TemplateFormat, ctx: ExtractContext, bodyEnd = source.length): ExtractedPrompt {
  const body = bodyEnd < source.length ? source.slice(0, bodyEnd) : source;
  const r = renderTemplate(body, bodyStart, t.dialect, { deploymentVariables: ctx.deploymentVariables, includes: ctx.includes, extensions: t.extensions, partialPrefixes: t.partialPrefixes });
  const placeholders: PromptPlaceholder[] = r.tags
    .filter((tag) => tag.kind !== 'comment')
    .map((tag) => ({
      kind: tag.kind === 'output' ? 'output' : 'control', expr: tag.expr, variable: tag.variable, renderedStart: tag.renderedStart, renderedEnd: tag.renderedEnd,
      sourceStart: tag.start, sourceEnd: tag.end, names: tag.names, ...(tag.perDeployment ? { perDeployment: true } : {}),
    }));
  const staticPrompt: ExtractedPrompt = {
    format: t.format, text: r.text, map: r.map, segments: r.segments, firstVariableOffset: r.firstVariableOffset, problems: r.problems,
    breakpoints: [], blocks: [], placeholders, rendering: { mode: 'static' },
  };
  if (ctx.includes.read.length) staticPrompt.includedFiles = [...ctx.includes.read];
  const found = ctx.vars === null ? undefined : ctx.vars ? { vars: ctx.vars, from: 'the given variables' } : findVars(ctx.includes);
  const vars = found ? { vars: { ...(t.ownVars?.vars ?? {}), ...found.vars }, from: found.from } : t.ownVarsRender ? t.ownVars : undefined;
  if (!vars) {
    staticPrompt.rendering = { mode: 'static', reason: ctx.vars === null ? 'rendering turned off' : `no variables found (a ${'`<file>.vars.json`'} beside it or promptfoo test vars)` };
    return staticPrompt;
  }
  // A missing include or a cycle is reported by the static reading: the engine would only fail on it.
  const includeProblem = r.problems.find((p) => /^Include|^Included template|nest deeper/.test(p.message));
  if (includeProblem) {
    staticPrompt.rendering = { mode: 'static', varsFrom: vars.from, reason: `not rendered: ${includeProblem.message}` };
    return staticPrompt;
  }
  try {
    const out = renderWithEngine({ engine: t.engine, source: body, offset: bodyStart, vars: vars.vars, includes: ctx.includes, deploymentVariables: ctx.deploymentVariables, extensions: t.extensions, partialPrefixes: t.partialPrefixes, escape: t.escape });
    const rendered: ExtractedPrompt = {
      format: t.format, text: out.text, map: out.map, segments: [...out.segments, ...out.messageSegments], firstVariableOffset: out.firstVariableOffset,
      problems: r.problems, breakpoints: [], blocks: [], placeholders: out.placeholders, rendering: { mode: 'engine', engine: ENGINE_VERSIONS[t.engine], varsFrom: vars.from },
    };
    if (out.hardBoundaries.length) rendered.hardBoundaries = out.hardBoundaries;
    if (ctx.includes.read.length) rendered.includedFiles = [...ctx.includes.read];
    return rendered;
  } catch (e) {
    const reason = (e as Error).message;
    const problem: ParseProblem = { message: `Not rendered with ${ENGINE_VERSIONS[t.engine]} (variables from ${vars.from}): ${reason}; read statically instead.`, severity: 'info', start: bodyStart, end: Math.min(body.length, bodyStart + 1) };
    staticPrompt.problems = [...staticPrompt.problems, problem];
    staticPrompt.rendering = { mode: 'static', varsFrom: vars.from, reason };
    return staticPrompt;
  }
}
