// Templates rendered by their real engines when variables are known, mapped back to the source.
//
// Engines: nunjucks (Jinja: include/import/extends/macros, the engine promptfoo renders prompts with), handlebars
// (and Dotprompt's own Handlebars setup), mustache.js, liquidjs. Each runs synchronously with a loader that reads
// includes and partials through the IncludeResolver (inside the root only).
//
// Mapping back: before rendering, every text piece of every template gets an invisible sentinel (a private-use
// character and a two-character id) before its first non-blank character, and every output tag one right after it
// (not in between whitespace and a trimming tag, not on a Handlebars standalone line). Engines copy text verbatim, so
// in the output each sentinel says which source position the following characters come from; characters that do not
// match the source there came from the next tag (its output). Loops repeat sentinels, untaken branches drop them.
import * as path from 'node:path';
import type Handlebars from 'handlebars';
import type { ILoader as NunjucksLoader } from 'nunjucks';
import type { FS } from 'liquidjs';
import { engineDeps } from '../lazy';
import { RenderBuilder } from '../text';
import type { ParseProblem, PromptPlaceholder, PromptSegment } from '../types';
import type { IncludeResolver } from './includes';
import { MAX_INCLUDE_DEPTH } from './includes';
import { applyWhitespaceControl, includedName, lexHandlebars, lexJinja, type TemplateDialect } from './template';
import { handlebarsTagNames, jinjaTagNames, RequestScope } from './templateNames';

export type EngineName = 'nunjucks' | 'handlebars' | 'mustache' | 'liquidjs' | 'dotprompt';

/** Versions of the engines as pinned in package.json (shown in the rendering note; a unit test checks them). */
export const ENGINE_VERSIONS: Record<EngineName, string> = {
  nunjucks: 'nunjucks 3.2.4',
  handlebars: 'handlebars 4.7.10',
  mustache: 'mustache 4.2.0',
  liquidjs: 'liquidjs 10.30.1',
  dotprompt: 'dotprompt 1.1.2 (handlebars 4.7.10)',
};

export interface EngineInput {
  engine: EngineName;
  source: string;
  /** Where the template starts in `source` (after front matter). */
  offset: number;
  vars: Record<string, unknown>;
  includes?: IncludeResolver;
  deploymentVariables?: readonly string[];
  /** Extensions tried for partial names without one. */
  extensions: readonly string[];
  /** File-name prefixes tried first for partials (Dotprompt: `_`). */
  partialPrefixes?: readonly string[];
  /** Handlebars: HTML-escape `{{x}}` as the engine does by default (Dotprompt turns it off). */
  escape?: boolean;
}

export interface EngineOutput {
  text: string;
  map: RenderBuilder['map'];
  placeholders: PromptPlaceholder[];
  firstVariableOffset: number | null;
  segments: PromptSegment[];
  /** Dotprompt: where a message (`{{role}}`) starts: the chat template puts special tokens there. */
  hardBoundaries: number[];
  messageSegments: PromptSegment[];
}

const SENTINEL = '\uE000';
const DIGIT0 = 0xe100;
const BASE = 0xf8ff - DIGIT0;
const MAX_LOADS = 500;

interface TagInfo {
  start: number;
  end: number;
  kind: 'output' | 'control';
  expr: string;
  variable: boolean;
  names: string[];
  perDeployment: boolean;
}

interface FileInfo {
  path: string;
  source: string;
  /** Index of the file that pulled it in (-1: the main file). */
  parent: number;
  /** The tag in the parent that pulled it in (parent coordinates) and the main file's range it maps to. */
  siteInParent: { start: number; end: number };
  mainSite: { start: number; end: number } | null;
  tags: TagInfo[];
  /** Source offset of the first tag that reads request data; null when none. */
  firstVariable: number | null;
  /** Where a tag named a file: child path → the tag. */
  namedChildren: Map<string, { start: number; end: number }>;
}

interface SentinelInfo {
  file: number;
  pos: number;
}

class RenderError extends Error {}

/** Renders with the engine and maps the output back. Throws RenderError (with a one-line reason) when it cannot. */
export function renderWithEngine(input: EngineInput): EngineOutput {
  const dialect: TemplateDialect = input.engine === 'nunjucks' ? 'jinja' : input.engine === 'liquidjs' ? 'liquid' : 'handlebars';
  const files: FileInfo[] = [];
  const sentinels: SentinelInfo[] = [];
  const byPath = new Map<string, number>();
  let loads = 0;

  const instrument = (source: string, offset: number, filePath: string, parent: number, siteInParent: { start: number; end: number }): string => {
    if (source.includes(SENTINEL)) throw new RenderError('the template contains the private-use character U+E000, which the source mapping needs');
    const index = files.length;
    const problems: ParseProblem[] = [];
    const pieces = dialect === 'handlebars' ? lexHandlebars(source, offset, problems) : lexJinja(source, offset, dialect, problems);
    if (problems.length) throw new RenderError(problems[0].message);
    applyWhitespaceControl(source, pieces);
    const scope = new RequestScope(input.deploymentVariables);
    const tags: TagInfo[] = [];
    const namedChildren = new Map<string, { start: number; end: number }>();
    for (const p of pieces) {
      const t = p.tag;
      if (!t || t.kind === 'comment') continue;
      const names = dialect === 'handlebars' ? handlebarsTagNames(t.expr) : jinjaTagNames(t.kind, t.expr);
      if (dialect === 'handlebars' && /^(#?\s*)?(history|media)\b/.test(t.expr)) names.reads.push('messages');
      const variable = scope.visit(names);
      tags.push({ start: t.start, end: t.end, kind: t.kind, expr: t.expr, variable, names: names.reads, perDeployment: !variable && names.reads.length > 0 && names.reads.every((n) => scope.isDeployment(n)) });
      const named = includedName(dialect, t.kind, t.expr) ?? (dialect !== 'handlebars' ? /^(?:import|from|extends|layout)\s+(["'])([^"']+)\1/.exec(t.expr)?.[2] ?? null : null);
      if (named !== null && input.includes) {
        const r = input.includes.resolve(named, filePath, input.extensions, input.partialPrefixes);
        if (r.ok && !namedChildren.has(r.path)) namedChildren.set(r.path, { start: t.start, end: t.end });
      }
    }
    const parentInfo = files[parent];
    const mainSite = parent < 0 ? null : parentInfo.mainSite ?? siteInParent;
    files.push({ path: filePath, source, parent, siteInParent, mainSite, tags, firstVariable: tags.find((t) => t.variable)?.start ?? null, namedChildren });
    byPath.set(filePath, index);
    // Insertion points, in source order.
    const inserts: number[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (p.kind === 'text') {
        let k = p.start;
        // Jinja/Liquid have no standalone-line rule: mark the piece from its start unless the tag before trims it.
        const prev = pieces[i - 1]?.tag;
        const fromStart = dialect !== 'handlebars' && !(prev && prev.trimAfter) && p.start < p.end;
        if (!fromStart) while (k < p.end && /\s/.test(source[k])) k++;
        if (k < p.end && !(dialect === 'handlebars' && source[k - 1] === '\\')) inserts.push(k);
      } else if (p.tag && p.tag.kind === 'output' && !p.tag.trimAfter) {
        inserts.push(p.tag.end);
      }
    }
    let out = source.slice(offset, inserts[0] ?? source.length);
    inserts.forEach((at, j) => {
      out += sentinel(sentinels.length) + source.slice(at, inserts[j + 1] ?? source.length);
      sentinels.push({ file: index, pos: at });
    });
    return out;
  };

  const main = input.includes?.main ?? '/main';
  const mainText = instrument(input.source, input.offset, main, -1, { start: 0, end: 0 });

  /** The instrumented source of an included file, by absolute path (the loaders' one way in). */
  const load = (abs: string, from: string): string => {
    if (++loads > MAX_LOADS) throw new RenderError(`more than ${MAX_LOADS} template loads: an include cycle?`);
    const parent = byPath.get(from) ?? 0;
    let depth = 0;
    for (let f = parent; f >= 0; f = files[f].parent) depth++;
    if (depth > MAX_INCLUDE_DEPTH) throw new RenderError(`includes nest deeper than ${MAX_INCLUDE_DEPTH} levels`);
    const src = input.includes?.readInside(abs);
    if (src === undefined) throw new RenderError(`\`${input.includes?.relative(abs) ?? abs}\` was not found`);
    const site = files[parent].namedChildren.get(abs) ?? firstTag(files[parent]);
    return instrument(src, 0, abs, parent, site);
  };
  const resolveName = (name: string, from: string): string => {
    if (!input.includes) throw new RenderError(`\`${name}\` is not read: no workspace or repository root is known`);
    const r = input.includes.resolve(name, from, input.extensions, input.partialPrefixes);
    if (!r.ok) throw new RenderError(r.problem);
    return r.path;
  };

  let output: string;
  try {
    output = runEngine(input, mainText, main, load, resolveName);
  } catch (e) {
    if (e instanceof RenderError) throw e;
    if (e instanceof RangeError) throw new RenderError('the engine recursed too deep (an include cycle?)');
    throw new RenderError(firstLine((e as Error).message ?? String(e)));
  }
  return decode(output, files, sentinels, input.offset, input.engine === 'dotprompt');
}

function firstTag(f: FileInfo): { start: number; end: number } {
  const t = f.tags[0];
  return t ? { start: t.start, end: t.end } : { start: 0, end: 0 };
}

function sentinel(id: number): string {
  if (id >= BASE * BASE) throw new RenderError('too many text pieces to map');
  return SENTINEL + String.fromCharCode(DIGIT0 + (id % BASE)) + String.fromCharCode(DIGIT0 + Math.floor(id / BASE));
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ').replace(/\(unknown path\)\s*/, '');
}

function runEngine(input: EngineInput, mainText: string, main: string, load: (abs: string, from: string) => string, resolveName: (name: string, from: string) => string): string {
  const vars = input.vars;
  const { Handlebars, Mustache, nunjucks, Liquid, Dotprompt } = engineDeps();
  switch (input.engine) {
    case 'nunjucks': {
      const loader = {
        getSource: (name: string) => (name === main ? { src: mainText, path: main, noCache: true } : { src: load(name, lastFrom), path: name, noCache: true }),
        isRelative: () => true,
        resolve: (from: string, to: string) => {
          lastFrom = from;
          return resolveName(to, from);
        },
      };
      let lastFrom = main;
      const env = new nunjucks.Environment(loader as unknown as NunjucksLoader, { autoescape: false, throwOnUndefined: false });
      return env.render(main, vars);
    }
    case 'liquidjs': {
      const fs: FS = {
        exists: async (f) => fs.existsSync(f),
        existsSync: (f) => { try { return !!input.includes?.readInside(f); } catch { return false; } },
        readFile: async (f) => fs.readFileSync(f),
        readFileSync: (f) => {
          byDir.set(path.dirname(f), f);
          return load(f, lastFrom);
        },
        resolve: (dir, file, ext) => {
          const from = path.join(dir, '_');
          lastFrom = byDir.get(dir) ?? main;
          return resolveName(path.extname(file) ? file : file + ext, from);
        },
        containsSync: () => true,
        dirname: (f) => path.dirname(f),
        sep: path.sep,
      };
      let lastFrom = main;
      const byDir = new Map([[path.dirname(main), main]]);
      const liquid = new Liquid({ fs, root: [path.dirname(main)], relativeReference: true, extname: '.liquid', dynamicPartials: true });
      return liquid.renderSync(liquid.parse(mainText, main), vars) as string;
    }
    case 'handlebars':
    case 'dotprompt': {
      const dp = input.engine === 'dotprompt' ? new Dotprompt() : undefined;
      // Dotprompt's own Handlebars instance carries its helpers (role, history, section, media, json, ifEquals…).
      const hb = dp ? (dp as unknown as { handlebars: typeof Handlebars }).handlebars : Handlebars.create();
      registerPartials(hb, mainText, main, load, resolveName, 0);
      const knownHelpers = dp ? (dp as unknown as { knownHelpers: Record<string, boolean> }).knownHelpers : undefined;
      const template = hb.compile(mainText, dp ? { knownHelpers, knownHelpersOnly: true, noEscape: true } : { noEscape: input.escape === false });
      return template(vars, dp ? { data: { metadata: { prompt: {}, messages: [] } } } : undefined);
    }
    case 'mustache': {
      const partials = (name: string) => load(resolveName(name, main), main);
      return input.escape === false ? Mustache.render(mainText, vars, partials, { escape: (s: string) => s }) : Mustache.render(mainText, vars, partials);
    }
  }
}

/** Handlebars needs its partials registered before compiling: the literal `{{> name}}` ones, recursively. */
function registerPartials(hb: typeof Handlebars, text: string, from: string, load: (abs: string, from: string) => string, resolveName: (n: string, f: string) => string, depth: number): void {
  if (depth > MAX_INCLUDE_DEPTH) throw new RenderError(`partials nest deeper than ${MAX_INCLUDE_DEPTH} levels`);
  for (const m of text.matchAll(/\{\{~?>\s*("([^"]+)"|'([^']+)'|([^\s"'(){}~]+))/g)) {
    const name = m[2] ?? m[3] ?? m[4];
    if (hb.partials[name] !== undefined) continue;
    const abs = resolveName(name, from);
    const src = load(abs, from);
    hb.registerPartial(name, src);
    registerPartials(hb, src, abs, load, resolveName, depth + 1);
  }
}

/** Strips the sentinels and builds the offset map, the placeholders and where per-request output starts. */
function decode(output: string, files: FileInfo[], sentinels: SentinelInfo[], offset: number, dotprompt: boolean): EngineOutput {
  const b = new RenderBuilder();
  const placeholders: PromptPlaceholder[] = [];
  const seenTags = new Set<string>();
  const hardBoundaries: number[] = [];
  const messageSegments: PromptSegment[] = [];
  let firstVariableOffset: number | null = null;
  const triggeredSite = (f: number): boolean => {
    for (let i = f; files[i].parent >= 0; i = files[i].parent) {
      const p = files[files[i].parent];
      if (p.firstVariable !== null && files[i].siteInParent.start >= p.firstVariable) return true;
    }
    return false;
  };
  const siteTriggered = files.map((_, i) => triggeredSite(i));
  const emit = (text: string, file: number, from: number) => {
    const f = files[file];
    // Characters matching the source at `from` (up to the next tag) were copied from it; the rest is tag output.
    const nextTag = f.tags.find((t) => t.start >= from);
    const limit = Math.min(nextTag?.start ?? f.source.length, f.source.length);
    let m = 0;
    while (m < text.length && from + m < limit && text.charCodeAt(m) === f.source.charCodeAt(from + m)) m++;
    if (m > 0) {
      if (firstVariableOffset === null && (siteTriggered[file] || (f.firstVariable !== null && from > f.firstVariable))) firstVariableOffset = b.length;
      if (f.mainSite) b.synth(text.slice(0, m), f.mainSite.start, f.mainSite.end);
      else b.copy(text.slice(0, m), from);
    }
    if (m < text.length && !nextTag && f.parent >= 0) {
      // Past an included file's last tag its output is over: the rest follows the include in the including file.
      emit(text.slice(m), f.parent, f.siteInParent.end);
      return;
    }
    if (m < text.length) {
      // Past the file's last tag, an included file's output is over: the rest is the including file's text after
      // the include (before its next sentinel), as static as that include is.
      const tag = nextTag;
      const rest = text.slice(m);
      const at = f.mainSite ?? (tag ? { start: tag.start, end: tag.end } : { start: limit, end: limit });
      const renderedStart = b.length;
      const variable = tag ? tag.variable || siteTriggered[file] || (f.firstVariable !== null && tag.start > f.firstVariable) : siteTriggered[file];
      if (firstVariableOffset === null && variable) firstVariableOffset = renderedStart;
      emitOutput(rest, at);
      const key = `${file}:${tag?.start}`;
      if (tag && !seenTags.has(key)) {
        seenTags.add(key);
        placeholders.push({ kind: tag.kind, expr: tag.expr, variable: tag.variable, renderedStart, renderedEnd: b.length, sourceStart: at.start, sourceEnd: at.end, names: tag.names, ...(tag.perDeployment ? { perDeployment: true } : {}) });
      }
    }
  };
  // Dotprompt's role markers end one message and start the next: a hard boundary, not text. A media marker is a
  // part of its own (an image, a video: not text), shown as `[media: <url>]` between hard boundaries so that another
  // URL still diverges; a section marker is a pending part with no content.
  const emitOutput = (s: string, at: { start: number; end: number }) => {
    if (!dotprompt) return b.synth(s, at.start, at.end);
    const re = /<<<dotprompt:role:([a-z]+)>>>|<<<dotprompt:history>>>|<<<dotprompt:(media:url|section)\s*([^>]*)>>>/g;
    let last = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      b.synth(s.slice(last, m.index), at.start, at.end);
      if (m[2] === 'media:url') {
        boundary();
        b.synth(`[media: ${m[3].trim().split(/\s+/)[0] ?? ''}]`, at.start, at.end);
        boundary();
      } else if (m[2] === 'section') boundary();
      else startMessage(m[1] ?? 'history');
      last = m.index + m[0].length;
    }
    b.synth(s.slice(last), at.start, at.end);
  };
  const boundary = () => {
    if (b.length > 0 && hardBoundaries[hardBoundaries.length - 1] !== b.length) hardBoundaries.push(b.length);
  };
  const startMessage = (role: string) => {
    const open = messageSegments[messageSegments.length - 1];
    if (open) open.end = b.length;
    if (b.length > 0) hardBoundaries.push(b.length);
    messageSegments.push({ name: `messages[${messageSegments.length}] (${role})`, start: b.length, end: b.length });
  };
  let file = 0;
  let from = offset;
  let i = 0;
  for (let k = output.indexOf(SENTINEL); ; k = output.indexOf(SENTINEL, i)) {
    const end = k < 0 ? output.length : k;
    if (end > i) emit(output.slice(i, end), file, from);
    if (k < 0) break;
    const id = output.charCodeAt(k + 1) - DIGIT0 + (output.charCodeAt(k + 2) - DIGIT0) * BASE;
    const s = sentinels[id];
    if (s) {
      file = s.file;
      from = s.pos;
    }
    i = k + 3;
  }
  const open = messageSegments[messageSegments.length - 1];
  if (open) open.end = b.length;
  const segments: PromptSegment[] = [];
  if (b.length > 0) {
    const staticEnd = firstVariableOffset ?? b.length;
    if (staticEnd > 0) segments.push({ name: 'static prefix', start: 0, end: staticEnd });
    if (staticEnd < b.length) segments.push({ name: 'after first placeholder', start: staticEnd, end: b.length });
  }
  return { text: b.text, map: b.map, placeholders, firstVariableOffset, segments, hardBoundaries: hardBoundaries.filter((h) => h > 0 && h < b.length), messageSegments };
}
