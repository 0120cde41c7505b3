// The lint-corpus fixes, each on the held-out corpus file that showed the problem (bench/corpus, batch "lint-corpus"):
// the false alarm stays gone, the missed per-request value is found at its line, with its evidence.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lintPromptReport } from '../../src/core/audit';
import { namedPerRequest } from '../../src/core/lint/perRequest';
import type { LintFinding } from '../../src/core/types';

const corpus = (f: string) => readFileSync(join(__dirname, '../../bench/corpus/files/new', f), 'utf8');
const lint = (src: string, fileName: string, extra = {}) => lintPromptReport(src, { fileName, provider: 'anthropic', model: 'claude-sonnet-4-5' }, extra).findings;
const volatile = (src: string, fileName: string) => lint(src, fileName).filter((f) => f.ruleId === 'volatile-prefix');
const lines = (fs: LintFinding[]) => fs.map((f) => f.range.start.line);
const STATIC = Array.from({ length: 30 }, (_, i) => `Step ${i + 1}: read the diff, check the tests, and write a short summary.`).join('\n');

describe('Claude Code commands: $ARGUMENTS and !`cmd` are filled in on every invocation', () => {
  it('!`git diff` and !`git ls-files` are command output; labelled git status/branch lines keep their label evidence', () => {
    const f = volatile(corpus('0xd0e__claude-workflow/.claude/commands/commit.md'), '.claude/commands/commit.md');
    assert.deepEqual(lines(f), [8, 9, 10]);
    assert.deepEqual(f.map((x) => x.evidence?.kind), ['label', 'command-output', 'command-output']);
    assert.match(f[1].evidence?.summary ?? '', /runs `git diff HEAD` when the command is invoked/);
  });
  it('$ARGUMENTS is found, even in inline code; a command file is recognised by its front matter outside .claude/', () => {
    assert.deepEqual(lines(volatile(corpus('EternisAI__ironclaw/.claude/commands/fix-issue.md'), '.claude/commands/fix-issue.md')), [12]);
    const src = `---\nallowed-tools: Bash(git status:*)\n---\nContext: !\`git status\`\nTask: $ARGUMENTS\n${STATIC}`;
    assert.deepEqual(lines(volatile(src, 'docs/review.md')), [4, 5]);
    // OpenCode commands (ebozkurt93/dotfiles keeps them in .config/opencode/commands/) use the same syntax.
    assert.deepEqual(lines(volatile(`History so far:\n!\`git log --oneline -5\`\n${STATIC}`, 'other/.config/opencode/commands/repo-status.md')), [2]);
    // Without front matter or a commands folder, `!` and `$ARGUMENTS` are just text.
    assert.deepEqual(volatile(`Context: !\`git status\`\nTask: $ARGUMENTS\n${STATIC}`, 'docs/review.md'), []);
  });
  it('only the front matter makes a command: an issue file with an `argument-hint:` YAML example is prose (little-loops)', () => {
    const issue = corpus('BrennonTWilliams__little-loops/.issues/enhancements/P5-ENH-401-add-argument-hint-to-commands-with-arguments.md');
    assert.deepEqual(volatile(issue, '.issues/enhancements/P5-ENH-401.md'), []);
    assert.deepEqual(lines(volatile(`---\ndescription: Fix\nargument-hint: <issue>\n---\nFix issue $ARGUMENTS.\n${STATIC}`, 'docs/fix.md')), [5]);
  });
  it('a shell `$1` inside a fenced code block of a command is not an argument', () => {
    const src = `---\nargument-hint: [file]\n---\n\`\`\`bash\nwc -l $1\n\`\`\`\n${STATIC}`;
    assert.deepEqual(volatile(src, '.claude/commands/count.md'), []);
  });
});

describe('names: fixes from held-out files', () => {
  it('a user_prompt, a subagent id and git commits are per request; a selection strategy and a yearly date are not', () => {
    for (const n of ['user_prompt', '{ user_prompt }', 'user_message', 'subagent_id', 'git.commits', 'task_id']) assert.ok(namedPerRequest(n), n);
    for (const n of ['tool_selection_strategy', 'last_new_year_date', 'current_new_year_date', 'raise_exception("Cannot put tools in the first user message")', 'role "user"']) {
      assert.equal(namedPerRequest(n), undefined, n);
    }
  });
  it('zed: {{{user_prompt}}} in the inline-assist prompt (was missed)', () => {
    assert.deepEqual(lines(volatile(corpus('zed-industries__zed/assets/prompts/content_prompt.hbs'), 'content_prompt.hbs')), [16]);
  });
  it('goose: {{tool_selection_strategy}} is configuration (was a false alarm); Subagent ID is found', () => {
    assert.deepEqual(volatile(corpus('block__goose/crates/goose/src/prompts/system.md'), 'system.md'), []);
    assert.deepEqual(lines(volatile(corpus('block__goose/crates/goose/src/prompts/subagent_system.md'), 'subagent_system.md')), [11]);
  });
});

describe('Jinja: a date the template sets per render (Llama 3.2 chat template)', () => {
  it('"Today Date: " + date_string is found, with how date_string is set; raise_exception(...) and turns are not', () => {
    const f = volatile(corpus('vllm-project__vllm/examples/tool_chat_template_llama3.2_json.jinja'), 'tool_chat_template.jinja');
    assert.ok(f.some((x) => x.range.start.line === 60 && /strftime_now/.test(x.evidence?.summary ?? '')), JSON.stringify(f.map((x) => x.message)));
    assert.ok(!f.some((x) => x.range.start.line === 85), 'raise_exception');
  });
  it('a name set from a literal only is fixed', () => {
    const src = `{%- set date_string = "26 Jul 2024" %}\n{{- "Today Date: " + date_string }}\n${STATIC}`;
    assert.deepEqual(volatile(src, 't.jinja'), []);
  });
});

describe('text placeholders: documentation and literal braces', () => {
  it('prompt-file variables documented in inline code (a skill reference) are not flagged; in a prompt file they are', () => {
    assert.deepEqual(volatile(corpus('awieczork__vscode-agentic-workflow/.github/skills/prompt-creator/references/prompt-skeleton.md'), 'prompt-skeleton.md'), []);
    assert.deepEqual(lines(volatile(corpus('shweta-test-copilot-org__github-copilot-demo/starter-templates/prompt-template.prompt.md'), 'prompt-template.prompt.md')), [12, 13]);
  });
  it("str.format's escaped braces around a JSON example are data, not a placeholder (khoj)", () => {
    const f = volatile(corpus('khoj-ai__khoj/src/khoj/processor/conversation/prompts.py/plan_function_execution.txt'), 'plan.txt');
    assert.ok(!f.some((x) => x.range.start.line === 13), 'scratchpad JSON');
    assert.deepEqual(lines(f), [30, 32]);
  });
  it('"User query: How do I …?" few-shot lines are not flagged; a label whose value is a template slot is', () => {
    assert.deepEqual(volatile(`Examples:\nUser query: How do I reset my password?\nAnswer: use the link.\n${STATIC}`, 'AGENTS.md'), []);
    assert.deepEqual(lines(volatile(corpus('stitionai__devika/src/agents/action/prompt.jinja2'), 'prompt.jinja2')), [9]);
  });
  it("an f-string field that calls now() is found (gpt-researcher); a plain field keeps needing a per-request name", () => {
    const f = volatile(corpus('assafelovic__gpt-researcher/gpt_researcher/prompts.py/generate_search_queries_prompt.txt'), 'queries.txt');
    assert.deepEqual(lines(f), [3]);
    assert.match(f[0].evidence?.summary ?? '', /"(datetime|now)"/);
    assert.deepEqual(volatile(`Use {json.dumps(tools_info, indent=2)} as the list.\n${STATIC}`, 'p.txt'), []);
  });
  it('in a text whose slots are ${…}, a bare {messageId} in a link format is literal (community-agent)', () => {
    const f = volatile(corpus('open-format__community-agent/src/agent/prompts/summaries.ts/summaryAgentPrompt.txt'), 'summaries.txt');
    assert.deepEqual(lines(f), [6, 7, 8]);
    // Without any ${…} slot, {message_id} stays a str.format field.
    assert.deepEqual(lines(volatile(`Reply to message {message_id} only.\n${STATIC}`, 'p.txt')), [1]);
  });
  it('an epoch time is a moment of capture even under a bare "Timestamp (ms):" label', () => {
    assert.deepEqual(lines(volatile(`# Agent\nTimestamp (ms): 1718000123456\n${STATIC}`, 'system.md')), [2]);
    assert.deepEqual(volatile(`# Release notes\nDate: 2024-05-13\n${STATIC}`, 'system.md'), []);
  });
});

describe('the cacheable prefix and what follows a value', () => {
  it('a per-deployment override does not end the cacheable prefix (below-minimum measures up to the first per-request output)', () => {
    const f = lint(corpus('Azure-Samples__azure-search-openai-demo/app/backend/approaches/prompts/chat_answer_question.prompty'), 'chat.prompty', { wholePrompt: true }).filter((x) => x.ruleId === 'below-minimum');
    assert.equal(f.length, 1);
    assert.ok((f[0].tokensAtRisk ?? 0) > 400, `prefix ${f[0].tokensAtRisk}`);
  });
  it('a value followed only by per-request output (the sources loop) is not reported', () => {
    const f = volatile(corpus('Azure-Samples__azure-search-openai-demo/app/backend/approaches/prompts/chat_answer_question.prompty'), 'chat.prompty');
    assert.ok(!f.some((x) => x.range.start.line === 68));
  });
});
