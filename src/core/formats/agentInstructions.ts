// The files coding agents load into every request: CLAUDE.md (and CLAUDE.local.md), AGENTS.md, GEMINI.md,
// .github/copilot-instructions.md, .cursorrules, .windsurfrules, .clinerules (a file, or a folder of rule files).
// Their text is sent as is. CLAUDE.md and GEMINI.md may import other files with `@path` (outside code spans and
// fences, at most 5 hops deep, as Claude Code documents): the imported files are sent too, after the importing file,
// so they are appended here in import order, each as a segment named after it. Rule files in a `.clinerules/` folder
// may carry front matter (`paths:`, Cline's conditional rules): configuration, not text.
import * as path from 'node:path';
import { RenderBuilder } from '../text';
import type { ExtractedPrompt, ParseProblem, PromptSegment } from '../types';
import { requestKeysOf, splitFrontMatter } from './frontMatter';
import { markdownSections } from './markdown';
import type { PromptFormatModule } from './registry';

const IMPORTING = /(^|\/)(claude(\.local)?|gemini)\.md$/i;
const MAX_IMPORT_HOPS = 5;

export const agentInstructionsFormat: PromptFormatModule = {
  id: 'agent-instructions',
  description: 'Agent instruction files loaded into every request: CLAUDE.md, AGENTS.md, GEMINI.md, .github/copilot-instructions.md, .cursorrules, .windsurfrules, .clinerules',
  fileNames: [
    '**/CLAUDE.md', '**/CLAUDE.local.md', '**/AGENTS.md', '**/GEMINI.md', '**/.github/copilot-instructions.md',
    '**/.cursorrules', '**/.windsurfrules', '**/.clinerules', '**/.clinerules/**/*.{md,txt}',
  ],
  extract(source, ctx) {
    const inRuleFolder = /(^|[\\/])\.clinerules[\\/]/.test(ctx.fileName);
    const fm = inRuleFolder ? splitFrontMatter(source) : { bodyStart: 0, problems: [] as ParseProblem[] };
    const b = new RenderBuilder();
    b.copy(source.slice(fm.bodyStart), fm.bodyStart);
    const segments: PromptSegment[] = markdownSections(b.text, 0);
    const problems: ParseProblem[] = [...fm.problems];
    const p: ExtractedPrompt = { format: 'agent-instructions', text: '', map: b.map, segments, firstVariableOffset: null, problems, breakpoints: [], blocks: [] };
    if ('range' in fm && fm.range) {
      p.frontMatter = fm.range;
      const keys = requestKeysOf(fm, { paths: { why: 'it decides which requests the rule is attached to' } });
      if (Object.keys(keys).length) p.requestKeys = keys;
    }
    if (IMPORTING.test(ctx.fileName.replace(/\\/g, '/')) && ctx.includes.enabled) {
      const seen = new Set<string>([ctx.includes.main ?? '']);
      const visit = (text: string, from: string | undefined, base: number, isMain: boolean, hops: number) => {
        for (const imp of importsOf(text)) {
          const r = ctx.includes.resolve(imp.path, from);
          const at = isMain ? { start: base + imp.start, end: base + imp.end } : { start: base, end: base };
          if (!r.ok) {
            problems.push({ message: `Import @${imp.path}: ${r.problem}.`, severity: 'warning', start: at.start, end: at.end });
            continue;
          }
          if (seen.has(r.path)) continue; // imported already (or a cycle): sent once
          if (hops >= MAX_IMPORT_HOPS) {
            problems.push({ message: `Import @${imp.path} is more than ${MAX_IMPORT_HOPS} hops deep; agents stop there.`, severity: 'warning', start: at.start, end: at.end });
            continue;
          }
          seen.add(r.path);
          const start = b.length;
          b.synth(`\n\n${r.source}`, at.start, at.end);
          segments.push({ name: `@${ctx.includes.relative(r.path)}`, start, end: b.length });
          visit(r.source, r.path, at.start, false, hops + 1);
        }
      };
      visit(source.slice(fm.bodyStart), undefined, fm.bodyStart, true, 0);
      if (ctx.includes.read.length) p.includedFiles = [...ctx.includes.read];
    }
    p.text = b.text;
    return p;
  },
};

/** `@path` imports of a memory file, outside fenced code blocks and inline code spans. */
export function importsOf(text: string): { path: string; start: number; end: number }[] {
  const out: { path: string; start: number; end: number }[] = [];
  let fence: string | null = null;
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) fence = fence === null ? f[1][0] : fence === f[1][0] ? null : fence;
    else if (fence === null) {
      const masked = line.replace(/`[^`]*`/g, (m) => ' '.repeat(m.length));
      for (const m of masked.matchAll(/(^|[\s(])@((?:~\/|\.{1,2}\/|\/)?[\w.\-/]+[\w\-/])/g)) {
        const p = m[2];
        // `@user` mentions and e-mail-like words are not imports: an import names a path or a file with an extension.
        if (!p.includes('/') && !path.extname(p)) continue;
        if (p.startsWith('~/')) continue; // the user's home: not part of the repository
        const start = lineStart + (m.index ?? 0) + m[1].length;
        out.push({ path: p, start, end: start + 1 + p.length });
      }
    }
    lineStart += line.length + 1;
  }
  return out;
}
