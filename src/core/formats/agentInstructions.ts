// The files coding agents load into every request: CLAUDE.md (and CLAUDE.local.md, .claude/rules/*.md), AGENTS.md,
// GEMINI.md, .github/copilot-instructions.md, .cursorrules, .windsurfrules (and .windsurf/rules/*.md), .clinerules
// (a file, or a folder of rule files). What each agent sends, from its own loader:
// - Claude Code (claudemd.ts): YAML front matter is configuration (`paths:` scopes a rule to matching files), block
//   HTML comments (`<!-- … -->` on their own lines, outside code) are stripped, and `@path` imports (after white space
//   or at a line start, outside code spans and fences, `#fragment` dropped, 5 hops deep) are sent as entries of their
//   own after the importing file, depth first, each file once.
// - Gemini CLI (memoryImportProcessor): `@path` imports are inlined where they stand, between
//   `<!-- Imported from: path -->` and `<!-- End of import from: path -->` lines.
// - Cline (`.clinerules/`) and Windsurf (`.windsurf/rules/`) rule files: front matter is configuration (`paths`,
//   `trigger`/`globs`/`description`). The other files are sent as they are.
import * as path from 'node:path';
import { RenderBuilder } from '../text';
import type { ExtractedPrompt, ParseProblem, PromptSegment } from '../types';
import type { ExtractContext } from './context';
import { requestKeysOf, splitFrontMatterLoose, type FrontMatterSplit, type RequestKeySpec } from './frontMatter';
import { markdownSections } from './markdown';
import type { PromptFormatModule } from './registry';

const MAX_IMPORT_HOPS = 5;

type Agent = 'claude' | 'gemini' | 'cline' | 'windsurf' | 'plain';

function agentOf(fileName: string): Agent {
  const f = fileName.replace(/\\/g, '/');
  if (/(^|\/)claude(\.local)?\.md$/i.test(f) || /(^|\/)\.claude\/rules\//i.test(f)) return 'claude';
  if (/(^|\/)gemini\.md$/i.test(f)) return 'gemini';
  if (/(^|\/)\.clinerules\//i.test(f)) return 'cline';
  if (/(^|\/)\.windsurf\/rules\//i.test(f)) return 'windsurf';
  return 'plain';
}

/** Front-matter keys that decide whether a rule file is in the request, per agent. */
const RULE_REQUEST_KEYS: Partial<Record<Agent, RequestKeySpec>> = {
  claude: { paths: { why: 'it decides which requests the rule is attached to' } },
  cline: { paths: { why: 'it decides which requests the rule is attached to' } },
  windsurf: {
    trigger: { why: 'it decides whether the rule is attached always, by glob, by the model or manually' },
    globs: { why: 'it decides which requests the rule is attached to', when: (d) => d.trigger === 'glob' },
    description: { why: 'the model is shown the description to decide whether to load the rule', when: (d) => d.trigger === 'model_decision' },
  },
};

export const agentInstructionsFormat: PromptFormatModule = {
  id: 'agent-instructions',
  description: 'Agent instruction files loaded into every request: CLAUDE.md, .claude/rules/, AGENTS.md, GEMINI.md, .github/copilot-instructions.md, .cursorrules, .windsurfrules, .windsurf/rules/, .clinerules',
  fileNames: [
    '**/CLAUDE.md', '**/CLAUDE.local.md', '**/.claude/rules/**/*.md', '**/AGENTS.md', '**/GEMINI.md', '**/.github/copilot-instructions.md',
    '**/.cursorrules', '**/.windsurfrules', '**/.windsurf/rules/**/*.md', '**/.clinerules', '**/.clinerules/**/*.{md,txt}',
  ],
  extract(source, ctx) {
    const agent = agentOf(ctx.fileName);
    const fm = agent === 'plain' || agent === 'gemini' ? undefined : configFrontMatter(source);
    const bodyStart = fm?.bodyStart ?? 0;
    const b = new RenderBuilder();
    const problems: ParseProblem[] = [...(fm?.problems ?? [])];
    const p: ExtractedPrompt = { format: 'agent-instructions', text: '', map: b.map, segments: [], firstVariableOffset: null, problems, breakpoints: [], blocks: [] };
    if (fm?.range) {
      p.frontMatter = fm.range;
      const keys = requestKeysOf(fm, RULE_REQUEST_KEYS[agent] ?? {});
      if (Object.keys(keys).length) p.requestKeys = keys;
    }
    const body = source.slice(bodyStart);
    if (agent === 'claude') {
      copyWithoutComments(body, (start, end) => b.copy(body.slice(start, end), bodyStart + start));
      const segments: PromptSegment[] = markdownSections(b.text, 0);
      if (ctx.includes.enabled) claudeImports(b, body, bodyStart, ctx, problems, segments);
      p.segments = segments;
    } else if (agent === 'gemini' && ctx.includes.enabled) {
      geminiInline(b, body, bodyStart, undefined, ctx, problems, new Set([ctx.includes.main ?? '']), 0, null);
      p.segments = markdownSections(b.text, 0);
    } else {
      b.copy(body, bodyStart);
      p.segments = markdownSections(b.text, 0);
    }
    if (ctx.includes.read.length) p.includedFiles = [...ctx.includes.read];
    p.text = b.text;
    return p;
  },
};

/** Front matter of a rule file: a YAML (or loosely read) mapping; anything else is left as text. */
function configFrontMatter(source: string): FrontMatterSplit | undefined {
  const fm = splitFrontMatterLoose(source);
  if (!fm.range) return fm.problems.length ? fm : undefined;
  const isMapping = fm.data !== null && typeof fm.data === 'object' && !Array.isArray(fm.data);
  return isMapping ? fm : { bodyStart: 0, problems: [] };
}

/** Claude Code's entries after the file: its imports, depth first, each without front matter or block comments. */
function claudeImports(b: RenderBuilder, body: string, bodyStart: number, ctx: ExtractContext, problems: ParseProblem[], segments: PromptSegment[]): void {
  const seen = new Set<string>([ctx.includes.main ?? '']);
  const visit = (text: string, from: string | undefined, base: number, isMain: boolean, hops: number) => {
    for (const imp of importsOf(text)) {
      const r = ctx.includes.resolve(imp.path, from);
      const at = isMain ? { start: base + imp.start, end: base + imp.end } : { start: base, end: base };
      if (!r.ok) {
        problems.push({ message: `Import @${imp.path}: ${r.problem}; Claude Code skips it.`, severity: 'warning', start: at.start, end: at.end });
        continue;
      }
      if (seen.has(r.path)) continue; // imported already (or a cycle): sent once
      if (hops >= MAX_IMPORT_HOPS) {
        problems.push({ message: `Import @${imp.path} is more than ${MAX_IMPORT_HOPS} hops deep; agents stop there.`, severity: 'warning', start: at.start, end: at.end });
        continue;
      }
      seen.add(r.path);
      const fm = configFrontMatter(r.source);
      const content = r.source.slice(fm?.bodyStart ?? 0);
      const start = b.length;
      b.synth('\n\n', at.start, at.end);
      copyWithoutComments(content, (s, e) => b.synth(content.slice(s, e), at.start, at.end));
      segments.push({ name: `@${ctx.includes.relative(r.path)}`, start, end: b.length });
      visit(content, r.path, at.start, false, hops + 1);
    }
  };
  visit(body, undefined, bodyStart, true, 0);
}

/**
 * Gemini CLI's inlining: each import is replaced, where it stands, by the imported file between marker comments (a
 * failed one by an `Import failed` comment). Text of an imported file maps to the import in the main file.
 */
function geminiInline(
  b: RenderBuilder, text: string, base: number, from: string | undefined, ctx: ExtractContext, problems: ParseProblem[], chain: Set<string>, hops: number,
  site: { start: number; end: number } | null,
): void {
  const put = (s: number, e: number) => (site ? b.synth(text.slice(s, e), site.start, site.end) : b.copy(text.slice(s, e), base + s));
  let pos = 0;
  for (const imp of importsOf(text)) {
    put(pos, imp.start);
    pos = imp.end;
    const at = site ?? { start: base + imp.start, end: base + imp.end };
    const r = ctx.includes.resolve(imp.path, from);
    const problem = !r.ok ? r.problem : chain.has(r.path) ? 'it imports itself (a cycle)' : hops >= MAX_IMPORT_HOPS ? `it is more than ${MAX_IMPORT_HOPS} hops deep` : undefined;
    if (problem || !r.ok) {
      problems.push({ message: `Import @${imp.path}: ${problem}; Gemini CLI writes an error comment there instead.`, severity: 'warning', start: at.start, end: at.end });
      b.synth(`<!-- Import failed: ${imp.path} - ${problem} -->`, at.start, at.end);
      continue;
    }
    b.synth(`<!-- Imported from: ${imp.path} -->\n`, at.start, at.end);
    geminiInline(b, r.source, 0, r.path, ctx, problems, new Set([...chain, r.path]), hops + 1, at);
    b.synth(`\n<!-- End of import from: ${imp.path} -->`, at.start, at.end);
  }
  put(pos, text.length);
}

/**
 * Copies `text` through `put(start, end)` (offsets in `text`), leaving out
 * block-level HTML comments as Claude Code does: a line that starts with `<!--` outside a fenced code block, up to
 * the line holding `-->`; what follows `-->` on that line is kept. An unclosed comment is kept.
 */
export function copyWithoutComments(text: string, put: (start: number, end: number) => void): void {
  let fence: string | null = null;
  let pos = 0;
  let copyFrom = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl + 1;
    const line = text.slice(pos, lineEnd);
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) fence = fence === null ? f[1][0] : fence === f[1][0] ? null : fence;
    else if (fence === null && /^ {0,3}<!--/.test(line)) {
      const close = text.indexOf('-->', pos + line.indexOf('<!--') + 4);
      if (close >= 0) {
        const closeNl = text.indexOf('\n', close);
        const closeLineEnd = closeNl < 0 ? text.length : closeNl + 1;
        const residue = text.slice(close + 3, closeLineEnd);
        put(copyFrom, pos);
        if (residue.trim() !== '') copyFrom = close + 3;
        else copyFrom = closeLineEnd;
        pos = closeLineEnd;
        continue;
      }
    }
    pos = lineEnd;
  }
  put(copyFrom, text.length);
}

/**
 * `@path` imports of a memory file: after white space, a line start or a link's opening bracket (Claude Code scans
 * Markdown text nodes), outside fenced code blocks, inline code spans and HTML comments; a `#fragment` is dropped.
 * `@word` without a slash or an extension is a mention, not an import; `~/` paths are the user's home, not the
 * repository.
 */
export function importsOf(text: string): { path: string; start: number; end: number }[] {
  const out: { path: string; start: number; end: number }[] = [];
  let fence: string | null = null;
  let lineStart = 0;
  let inComment = false;
  for (const line of text.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f && !inComment) fence = fence === null ? f[1][0] : fence === f[1][0] ? null : fence;
    else if (fence === null) {
      let masked = line.replace(/`[^`]*`/g, (m) => ' '.repeat(m.length));
      if (inComment) {
        const close = masked.indexOf('-->');
        masked = close < 0 ? ' '.repeat(masked.length) : ' '.repeat(close + 3) + masked.slice(close + 3);
        inComment = close < 0;
      }
      masked = masked.replace(/<!--.*?-->/g, (m) => ' '.repeat(m.length));
      const open = masked.indexOf('<!--');
      if (open >= 0) {
        masked = masked.slice(0, open) + ' '.repeat(masked.length - open);
        inComment = true;
      }
      for (const m of masked.matchAll(/(^|[\s[])@((?:~\/|\.{1,2}\/|\/)?[\w.\-/]+[\w\-/])(#[\w-]*)?/g)) {
        const p = m[2];
        if (!p.includes('/') && !path.extname(p)) continue;
        if (p.startsWith('~/')) continue;
        const start = lineStart + (m.index ?? 0) + m[1].length;
        out.push({ path: p, start, end: start + 1 + p.length + (m[3]?.length ?? 0) });
      }
    }
    lineStart += line.length + 1;
  }
  return out;
}
