// Markdown: the text as is, in sections named by their ATX headings (so a divergence or a history's churn names the
// section it falls in). Also the plain-text reading other formats fall back to.
import { RenderBuilder } from '../text';
import type { ExtractedPrompt, PromptFormat, PromptSegment } from '../types';
import type { PromptFormatModule } from './registry';
import type { ExtractContext } from './context';
import { requestKeysOf, splitFrontMatter, type RequestKeySpec } from './frontMatter';
import { extractTemplate } from './templated';
import { promptfooConfigUsing } from './vars';

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

/** The file's text as is (an identity map). */
export function plain(sourceText: string, format: PromptFormat): ExtractedPrompt {
  const b = new RenderBuilder();
  b.copy(sourceText, 0);
  return { format, text: b.text, map: b.map, segments: [], firstVariableOffset: null, problems: [], breakpoints: [], blocks: [] };
}

export const markdownFormat: PromptFormatModule = {
  id: 'markdown',
  description: 'Markdown (`.md`): the text as is, sections named by heading',
  fileNames: ['**/*.{md,markdown}'],
  extract(source, ctx) {
    const asTemplate = promptfooTemplate(source, ctx);
    if (asTemplate) return asTemplate;
    const fm = AGENT_DIRECTORY.test(ctx.fileName.replace(/\\/g, '/')) ? splitFrontMatter(source) : undefined;
    if (!fm?.range || !fm.data || typeof fm.data !== 'object' || Array.isArray(fm.data)) {
      const p = plain(source, 'markdown');
      p.segments = markdownSections(p.text, 0);
      return p;
    }
    // Agents' own Markdown files (subagents, commands, skills) carry YAML front matter their loader reads as
    // configuration: it is not sent. They are agent files (and, their text not being the source, re-extracted on
    // edits rather than patched on the keystroke path).
    const b = new RenderBuilder();
    b.copy(source.slice(fm.bodyStart), fm.bodyStart);
    const keys = requestKeysOf(fm, AGENT_FILE_REQUEST_KEYS);
    return {
      format: 'agent-instructions', text: b.text, map: b.map, segments: markdownSections(b.text, 0), firstVariableOffset: null, problems: [], breakpoints: [], blocks: [],
      frontMatter: fm.range, ...(Object.keys(keys).length ? { requestKeys: keys } : {}),
    };
  },
};

/** Folders where coding agents keep Markdown files with configuration front matter (`.claude/agents/`, `.cursor/commands/`…). */
const AGENT_DIRECTORY = /(^|\/)\.(claude|cursor|gemini|codex|windsurf|roo|kiro|continue|opencode|github)\/|(^|\/)skill\.md$/i;

const AGENT_FILE_REQUEST_KEYS: RequestKeySpec = {
  model: { why: 'another model: a cold cache' },
  tools: { why: 'the tool schemas sent ahead of the prompt change' },
  'allowed-tools': { why: 'the tool schemas sent ahead of the prompt change' },
};

export const plainTextFormat: PromptFormatModule = {
  id: 'text',
  description: 'Plain text (`.txt`, and any file no other format claims): the text as is',
  fileNames: ['**/*.txt'],
  extract: (source, ctx) => promptfooTemplate(source, ctx) ?? plain(source, 'text'),
};

/**
 * A text or Markdown file that a promptfoo config lists among its `prompts` is a Nunjucks template to promptfoo
 * (`{{ topic }}` is filled from the tests' vars): read it as one.
 */
function promptfooTemplate(source: string, ctx: ExtractContext): ExtractedPrompt | undefined {
  if (!ctx.includes.enabled || !promptfooConfigUsing(ctx.includes)) return undefined;
  return extractTemplate(source, 0, { format: 'template-jinja', dialect: 'jinja', engine: 'nunjucks', extensions: [] }, ctx);
}
