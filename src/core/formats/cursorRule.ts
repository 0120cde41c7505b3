// Cursor project rules (`.cursor/rules/*.mdc`): front matter (`description`, `globs`, `alwaysApply`) that decides when
// the rule is attached, then the Markdown body that is sent. Cursor's front matter is YAML-like: `globs` is often a
// bare comma-separated list; a value YAML cannot parse is reported and the body is still read.
import { requestKeysOf, splitFrontMatterLoose, type RequestKeySpec } from './frontMatter';
import { markdownSections } from './markdown';
import { RenderBuilder } from '../text';
import type { PromptFormatModule } from './registry';

/**
 * Always (`alwaysApply: true`), Auto Attached (`globs`), Agent Requested (`description`, which the agent reads to
 * decide) or Manual: each key decides whether the rule is in the request.
 */
export const CURSOR_RULE_REQUEST_KEYS: RequestKeySpec = {
  alwaysApply: { why: 'it decides whether the rule is attached to every request' },
  // An Always rule is attached whatever its globs.
  globs: { why: 'it decides which requests the rule is attached to', when: (d) => d.alwaysApply !== true },
  description: { why: 'an agent-requested rule\'s description is shown to the agent, which decides whether to load it', when: (d) => d.alwaysApply !== true },
};

export const cursorRuleFormat: PromptFormatModule = {
  id: 'cursor-rule',
  description: 'Cursor rules (`.cursor/rules/*.mdc`): front matter (description, globs, alwaysApply) and a Markdown body',
  fileNames: ['**/*.mdc'],
  extract(source) {
    const fm = splitFrontMatterLoose(source);
    // Cursor reads its front matter loosely (`globs: *.ts, *.tsx` unquoted): only front matter it could not read
    // either is reported.
    const problems = fm.problems.map((p) => ({ ...p, message: `${p.message} (the body is still audited)` }));
    const b = new RenderBuilder();
    b.copy(source.slice(fm.bodyStart), fm.bodyStart);
    const keys = requestKeysOf(fm, CURSOR_RULE_REQUEST_KEYS);
    return {
      format: 'cursor-rule', text: b.text, map: b.map, segments: markdownSections(b.text, 0), firstVariableOffset: null, problems, breakpoints: [], blocks: [],
      ...(fm.range ? { frontMatter: fm.range } : {}), ...(Object.keys(keys).length ? { requestKeys: keys } : {}),
    };
  },
};
