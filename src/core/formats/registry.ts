// The prompt formats, one module each: which files they claim and what the model sees for them. The first module
// whose file-name globs match a path reads it; a path none claims is plain text. Adding a format is a module and one
// line in PROMPT_FORMATS (AGENTS.md, "Add a prompt format").
import { globToRegExp } from '../promptFiles';
import type { ExtractedPrompt, PromptFormat } from '../types';
import { extractContext, type ExtractContext, type ExtractOptions } from './context';
import { agentInstructionsFormat } from './agentInstructions';
import { cursorRuleFormat } from './cursorRule';
import { dotpromptFormat } from './dotprompt';
import { handlebarsFormat, mustacheFormat } from './handlebars';
import { jinjaFormat } from './jinja';
import { jsonBodyFormat } from './jsonBody';
import { liquidFormat } from './liquid';
import { markdownFormat, plain, plainTextFormat } from './markdown';
import { pomlFormat } from './poml';
import { promptFileFormat } from './promptFile';
import { promptyFormat } from './prompty';

export interface PromptFormatModule {
  /** The format id results carry (`ExtractedPrompt.format`, `DiffResult.format`). */
  id: PromptFormat;
  /** One line for docs and the list of file kinds (`describePromptFormats`). */
  description: string;
  /**
   * Globs over the file's path (`/`-separated, matched without regard to case) that select this format, e.g.
   * `**\/*.prompt`. Folder walks pick up the files they match, in dot-directories too (`.github/`, `.cursor/`).
   */
  fileNames: readonly string[];
  /** What the model sees. Never throws: malformed input becomes `problems` and a best-effort rendering. */
  extract(source: string, ctx: ExtractContext): ExtractedPrompt;
}

/** In precedence order: the first module whose globs match a path reads it. */
export const PROMPT_FORMATS: readonly PromptFormatModule[] = [
  promptFileFormat,
  promptyFormat,
  dotpromptFormat,
  pomlFormat,
  cursorRuleFormat,
  agentInstructionsFormat,
  jinjaFormat,
  handlebarsFormat,
  mustacheFormat,
  liquidFormat,
  jsonBodyFormat,
  markdownFormat,
  plainTextFormat,
];

/** Formats added at run time (tests, embedders), ahead of the built-in ones. */
const added: PromptFormatModule[] = [];

/** Adds a format ahead of the built-in ones; returns a function that removes it again. */
export function registerPromptFormat(module: PromptFormatModule): () => void {
  added.unshift(module);
  return () => {
    const i = added.indexOf(module);
    if (i >= 0) added.splice(i, 1);
  };
}

function allFormats(): readonly PromptFormatModule[] {
  return added.length ? [...added, ...PROMPT_FORMATS] : PROMPT_FORMATS;
}

const compiled = new WeakMap<PromptFormatModule, RegExp[]>();
function matchers(m: PromptFormatModule): RegExp[] {
  let r = compiled.get(m);
  if (!r) {
    r = m.fileNames.map((g) => new RegExp(globToRegExp(g.toLowerCase()).source));
    compiled.set(m, r);
  }
  return r;
}

/** The module that reads a path (absolute or relative); undefined when none claims it (then it is plain text). */
export function formatModuleFor(fileName: string): PromptFormatModule | undefined {
  const p = fileName.replace(/\\/g, '/').toLowerCase();
  return allFormats().find((m) => matchers(m).some((re) => re.test(p)));
}

/** The format a file name implies (before looking at the content: a JSON body's flavour comes from its keys). */
export function formatForFileName(fileName: string): PromptFormat {
  return formatModuleFor(fileName)?.id ?? 'text';
}

/** True when a folder walk should pick the file up (some format claims it). */
export function isPromptFileName(fileName: string): boolean {
  return formatModuleFor(fileName) !== undefined;
}

/** What the model sees. Never throws: malformed input becomes `problems` and a best-effort rendering. */
export function extractPrompt(sourceText: string, fileName: string, options: ExtractOptions = {}): ExtractedPrompt {
  if (options.raw) return plain(sourceText, 'raw');
  const m = formatModuleFor(fileName) ?? plainTextFormat;
  return m.extract(sourceText, extractContext(fileName, options));
}

/** The formats and the files each claims, for the docs and the extension's list of watched kinds. */
export function describePromptFormats(): { id: PromptFormat; description: string; fileNames: readonly string[] }[] {
  return allFormats().map((m) => ({ id: m.id, description: m.description, fileNames: m.fileNames }));
}

/**
 * File-name endings the formats claim (`.prompt.md`, `.j2`, …), derived from their globs, for file associations and
 * docs. Exact names (`CLAUDE.md`, `.cursorrules`) are not endings: see `describePromptFormats`.
 */
export function supportedExtensions(): string[] {
  const out = new Set<string>();
  for (const m of allFormats()) {
    for (const g of m.fileNames) {
      const last = g.split('/').pop() ?? '';
      const e = /^\*(\.[\w.-]+|\.\{[\w.,-]+\}(?:\.\w+)?)$/.exec(last);
      if (!e) continue;
      for (const x of expandBraces(e[1])) out.add(x);
    }
  }
  return [...out];
}

function expandBraces(s: string): string[] {
  const m = /\{([^{}]+)\}/.exec(s);
  if (!m) return [s];
  return m[1].split(',').flatMap((alt) => expandBraces(s.slice(0, m.index) + alt + s.slice(m.index + m[0].length)));
}
