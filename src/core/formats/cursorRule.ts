// Cursor project rules (`.cursor/rules/*.mdc`): front matter (`description`, `globs`, `alwaysApply`) that decides when
// the rule is attached, then the Markdown body that is sent. Cursor's front matter is YAML-like: `globs` is often a
// bare comma-separated list; a value YAML cannot parse is reported and the body is still read.
import { requestKeysOf, splitFrontMatter, type RequestKeySpec } from './frontMatter';
import { markdownSections } from './markdown';
import { RenderBuilder } from '../text';
import type { PromptFormatModule } from './registry';

/**
 * Always (`alwaysApply: true`), Auto Attached (`globs`), Agent Requested (`description`, which the agent reads to
 * decide) or Manual: each key decides whether the rule is in the request.
 */
export const CURSOR_RULE_REQUEST_KEYS: RequestKeySpec = {
  alwaysApply: { why: 'it decides whether the rule is attached to every request' },
  globs: { why: 'it decides which requests the rule is attached to' },
  description: { why: 'an agent-requested rule\'s description is shown to the agent, which decides whether to load it', when: (d) => d.alwaysApply !== true },
};

export const cursorRuleFormat: PromptFormatModule = {
  id: 'cursor-rule',
  description: 'Cursor rules (`.cursor/rules/*.mdc`): front matter (description, globs, alwaysApply) and a Markdown body',
  fileNames: ['**/*.mdc'],
  extract(source) {
    const fm = splitFrontMatter(source);
    // Cursor writes `globs: *.ts, *.tsx` unquoted, which YAML reads as an alias: only the body matters then.
    const problems = fm.problems.map((p) => ({ ...p, severity: 'warning' as const, message: `${p.message} (Cursor reads this front matter loosely; the body is still audited)` }));
    const b = new RenderBuilder();
    b.copy(source.slice(fm.bodyStart), fm.bodyStart);
    const keys = requestKeysOf(fm.data ? fm : { ...fm, data: looseFrontMatter(source, fm.range?.end ?? 0) }, CURSOR_RULE_REQUEST_KEYS);
    return {
      format: 'cursor-rule', text: b.text, map: b.map, segments: markdownSections(b.text, 0), firstVariableOffset: null, problems, breakpoints: [], blocks: [],
      ...(fm.range ? { frontMatter: fm.range } : {}), ...(Object.keys(keys).length ? { requestKeys: keys } : {}),
    };
  },
};

/** `key: value` lines read as strings (booleans as booleans), for front matter YAML rejects. */
function looseFrontMatter(source: string, end: number): Record<string, unknown> | undefined {
  if (end === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const line of source.slice(0, end).split(/\r?\n/)) {
    const m = /^([A-Za-z][\w-]*):\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2] === 'true' ? true : m[2] === 'false' ? false : m[2];
  }
  return out;
}
