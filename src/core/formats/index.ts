// extractPrompt: what the model sees for a prompt file, plus how to map it back to the file.
import { RenderBuilder } from '../text';
import type { ExtractedPrompt, PromptFormat, PromptPlaceholder, PromptSegment } from '../types';
import { splitFrontMatter } from './frontMatter';
import { extractJson } from './json';
import { renderTemplate, type TemplateDialect } from './template';

export { splitFrontMatter } from './frontMatter';
export { parseJsonWithRanges, detectFlavour } from './json';
export { renderTemplate } from './template';

export interface ExtractOptions {
  /** Tokenize the file's text as is, whatever its format. */
  raw?: boolean;
}

const PROMPT_FILE = /\.(prompt|instructions|agent|chatmode)\.md$/i;

/** The format a file name implies (before looking at the content). */
export function formatForFileName(fileName: string): PromptFormat {
  const f = fileName.toLowerCase();
  if (PROMPT_FILE.test(f)) return 'prompt-file';
  if (f.endsWith('.prompty')) return 'prompty';
  if (/\.(j2|jinja2?)$/.test(f)) return 'template-jinja';
  if (/\.(hbs|handlebars|mustache)$/.test(f)) return 'template-handlebars';
  if (f.endsWith('.liquid')) return 'template-liquid';
  if (f.endsWith('.json')) return 'json';
  if (/\.(md|markdown)$/.test(f)) return 'markdown';
  return 'text';
}

/** Formats the extractor understands, for UIs (file associations) and docs. */
export const SUPPORTED_EXTENSIONS = ['.txt', '.md', '.prompt.md', '.instructions.md', '.agent.md', '.chatmode.md', '.prompty', '.j2', '.jinja', '.jinja2', '.hbs', '.mustache', '.liquid', '.json'];

/** What the model sees. Never throws: malformed input becomes `problems` and a best-effort rendering. */
export function extractPrompt(sourceText: string, fileName: string, options: ExtractOptions = {}): ExtractedPrompt {
  const format = formatForFileName(fileName);
  if (options.raw) return plain(sourceText, 'raw');
  switch (format) {
    case 'prompt-file':
    case 'prompty': {
      const fm = splitFrontMatter(sourceText);
      const base: ExtractedPrompt =
        format === 'prompty'
          ? // Prompty bodies are Jinja templates (role lines + {{placeholders}}).
            fromTemplate(sourceText, fm.bodyStart, 'jinja', 'prompty')
          : promptFileBody(sourceText, fm.bodyStart);
      base.problems.unshift(...fm.problems);
      if (fm.range) base.frontMatter = fm.range;
      return base;
    }
    case 'template-jinja':
      return fromTemplate(sourceText, 0, 'jinja', format);
    case 'template-liquid':
      return fromTemplate(sourceText, 0, 'liquid', format);
    case 'template-handlebars':
      return fromTemplate(sourceText, 0, 'handlebars', format);
    case 'json':
      return extractJson(sourceText, 0, 'json');
    case 'markdown': {
      const p = plain(sourceText, format);
      p.segments = markdownSections(p.text, 0);
      return p;
    }
    default:
      return plain(sourceText, format);
  }
}

/** A line Markdown sections depend on: a code fence (``` or ~~~ runs alone on the line) or an ATX heading. */
export interface MarkdownLeadLine {
  start: number;
  /** The fence's char (` or ~), for a fence line. */
  fence?: string;
  /** `## Name`, for a heading line. */
  heading?: string;
}

// `^`/`$` with the m flag: lines end at \n, \r, U+2028, U+2029 (as `.` and `[ \t]` never cross them).
const LEAD_LINE = /^(?:(`{3,}|~{3,})|(#{1,6})[ \t]+(.+?)[ \t#]*)$/gm;

/** The lead lines of `text` from `from` on, with their starts moved by `offset` (for a slice of a longer text). */
export function markdownLeadLines(text: string, from = 0, offset = 0): MarkdownLeadLine[] {
  const re = new RegExp(LEAD_LINE);
  const out: MarkdownLeadLine[] = [];
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m[1] ? { start: m.index + offset, fence: m[1][0] } : { start: m.index + offset, heading: `${m[2]} ${m[3].trim()}` });
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

/**
 * Sections from lead lines: headings inside fenced code blocks do not count. `hasContent(a, b)` says whether the
 * text in [a, b) is not blank (a "(before the first heading)" section exists only then); `end` is the text's length.
 */
export function sectionsFromLeadLines(leads: readonly MarkdownLeadLine[], from: number, end: number, hasContent: (a: number, b: number) => boolean): PromptSegment[] {
  const heads: { name: string; start: number }[] = [];
  let fence: string | null = null;
  for (const l of leads) {
    if (l.fence) {
      if (fence === null) fence = l.fence;
      else if (l.fence === fence) fence = null;
    } else if (fence === null && l.heading) {
      heads.push({ name: l.heading, start: l.start });
    }
  }
  const segments: PromptSegment[] = [];
  if (heads.length && heads[0].start > from && hasContent(from, heads[0].start)) segments.push({ name: '(before the first heading)', start: from, end: heads[0].start });
  heads.forEach((h, i) => segments.push({ name: h.name, start: h.start, end: i + 1 < heads.length ? heads[i + 1].start : end }));
  return segments;
}

/**
 * Markdown sections as segments, named by their heading (e.g. `## Tone and style`), so a divergence or a
 * history's churn names the section it falls in. Headings inside fenced code blocks do not count.
 */
export function markdownSections(text: string, from: number): PromptSegment[] {
  return sectionsFromLeadLines(markdownLeadLines(text, from), from, text.length, (a, b) => text.slice(a, b).trim() !== '');
}

function plain(sourceText: string, format: PromptFormat): ExtractedPrompt {
  const b = new RenderBuilder();
  b.copy(sourceText, 0);
  return { format, text: b.text, map: b.map, segments: [], firstVariableOffset: null, problems: [], breakpoints: [], blocks: [] };
}

function fromTemplate(sourceText: string, offset: number, dialect: TemplateDialect, format: PromptFormat): ExtractedPrompt {
  const r = renderTemplate(sourceText, offset, dialect);
  const placeholders: PromptPlaceholder[] = r.tags
    .filter((t) => t.kind !== 'comment')
    .map((t) => ({ kind: t.kind === 'output' ? 'output' : 'control', expr: t.expr, variable: t.variable, renderedStart: t.renderedStart, renderedEnd: t.renderedEnd, sourceStart: t.start, sourceEnd: t.end }));
  return { format, text: r.text, map: r.map, segments: r.segments, firstVariableOffset: r.firstVariableOffset, problems: r.problems, breakpoints: [], blocks: [], placeholders };
}

// VS Code prompt files substitute `${input:name}`, `${selection}`, `${file}`… per request: the first one
// ends the part that is identical across requests.
const PROMPT_FILE_VARIABLE = /\$\{(input:[^}]*|selection|selectedText|file|fileBasename|fileDirname|fileBasenameNoExtension|workspaceFolder|workspaceFolderBasename)\}/;

function promptFileBody(sourceText: string, bodyStart: number): ExtractedPrompt {
  const b = new RenderBuilder();
  b.copy(sourceText.slice(bodyStart), bodyStart);
  const re = new RegExp(PROMPT_FILE_VARIABLE.source, 'g');
  const placeholders: PromptPlaceholder[] = [];
  for (let m = re.exec(b.text); m; m = re.exec(b.text)) {
    placeholders.push({ kind: 'output', expr: m[1], variable: true, renderedStart: m.index, renderedEnd: m.index + m[0].length, sourceStart: bodyStart + m.index, sourceEnd: bodyStart + m.index + m[0].length });
  }
  return { format: 'prompt-file', text: b.text, map: b.map, segments: markdownSections(b.text, 0), firstVariableOffset: placeholders[0]?.renderedStart ?? null, problems: [], breakpoints: [], blocks: [], placeholders };
}
