// volatile-prefix and placeholder-before-static on real prompt files from the labelled corpus (bench/corpus): the
// true findings stay found at their lines, the false alarms of the old rules stay gone, each with its evidence.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lintPrompt, lintPromptReport } from '../../src/core/audit';
import { namedPerRequest } from '../../src/core/lint/perRequest';
import type { LintFinding } from '../../src/core/types';

const corpus = (f: string) => readFileSync(join(__dirname, '../../bench/corpus/files', f), 'utf8');
const volatile = (src: string, fileName: string, extra = {}) => lintPromptReport(src, { fileName, provider: 'anthropic', model: 'claude-sonnet-4-5' }, extra).findings.filter((f) => f.ruleId === 'volatile-prefix');
const at = (fs: LintFinding[]) => fs.map((f) => `${f.range.start.line}:${f.evidence?.kind}`);
const STATIC = Array.from({ length: 40 }, (_, i) => `Rule ${i + 1}: answer politely, check the order first, and never guess about refunds.`).join('\n');

describe('volatile-prefix: true findings on the corpus, at their lines', () => {
  it("a captured env block: Today's date, working directory, current branch (Crush)", () => {
    const f = volatile(corpus('leaked/charmbracelet-crush_20260918.env.md'), 'crush.md');
    assert.deepEqual(at(f), ['5:label', '8:label', '12:label']);
    assert.match(f[1].message, /Today's date: 9\/18\/2026/);
    assert.equal(f[0].evidence?.name, 'Working directory');
  });
  it('a Mustache environment section: cwd, session time, branch, git status, git user and e-mail (obra/lace)', () => {
    const f = volatile(corpus('templates/obra-lace-environment.md'), 'environment.md');
    assert.deepEqual(f.map((x) => x.range.start.line), [4, 5, 10, 13, 16, 16]);
    assert.ok(f.every((x) => x.evidence?.kind === 'placeholder-name' || x.evidence?.kind === 'label'));
  });
  it('"The current date is {}." and a captured time of day (Claude 3 Opus, Brave Leo)', () => {
    assert.deepEqual(at(volatile(corpus('leaked/claude-3-opus_20240712.md'), 'opus.md')), ['7:label']);
    assert.deepEqual(at(volatile(corpus('leaked/brave-leo-ai_20240601.md'), 'leo.md')), ['11:label']);
  });
  it('{{today_date}} in a Jinja system prompt, with a per-request name as evidence', () => {
    const f = volatile(corpus('templates/fore-coffee-iq-system.j2'), 'system.j2');
    assert.deepEqual(at(f), ['1:placeholder-name']);
    assert.equal(f[0].evidence?.name, 'today_date');
  });
  it('a gitStatus snapshot and a JS template literal computing the date', () => {
    assert.deepEqual(at(volatile(corpus('leaked/shaneholloman-git-status-conversation-start.md'), 'git.md')), ['22:label']);
    assert.deepEqual(at(volatile(corpus('leaked/claude-code_20250307-env.md'), 'env.md')), ['5:label', '8:placeholder-name']);
  });
});

describe('volatile-prefix: the old false alarms stay gone', () => {
  it('pinned action SHA in a code block (Copilot instructions)', () => {
    assert.deepEqual(volatile(corpus('agents/zpratt-lousy-api-eval/.github/instructions/pipeline.instructions.md'), 'pipeline.instructions.md'), []);
  });
  it('example timestamps and session_id=session_id in code blocks, escaped fences too (Claude Code reference data)', () => {
    assert.deepEqual(volatile(corpus('piebald/data-managed-agents-events-and-steering.steering.md'), 'events.md'), []);
    assert.deepEqual(volatile(corpus('piebald/data-managed-agents-webhooks.md'), 'webhooks.md'), []);
  });
  it('prose that lists kinds of context ("- current time", "- working directory")', () => {
    assert.deepEqual(volatile(corpus('leaked/block-goose_20260918.top.md'), 'goose.md'), []);
  });
  it('a redaction token {{UUID}} and a few-shot example field {{ ex.question }}', () => {
    assert.ok(!volatile(corpus('leaked/charmbracelet-crush_20260918.env.md'), 'crush.md').some((f) => /UUID/.test(f.message)));
    assert.deepEqual(volatile(corpus('promptflow/maths-to-code-ask_llm.jinja2'), 'ask_llm.jinja2'), []);
  });
  it('type names and prose matched by shape: SessionIdleEvent, "session identifier", role GUIDs, the nil UUID', () => {
    for (const line of [
      'Handle `SessionIdleEvent` before `SessionEndEvent`.',
      'Each request carries a session identifier that the gateway checks.',
      'The admin role GUID is 3f2b8c1e-9d4a-4e7b-a1c2-0b9d8e7f6a5c.',
      'Use 00000000-0000-0000-0000-000000000000 for "no tenant".',
      'Validate input with `validate(schema)` and set `return_format` to json.',
    ]) {
      assert.deepEqual(volatile(`${line}\n${STATIC}`, 'AGENTS.md'), [], line);
    }
  });
});

describe('volatile-prefix: names matched as whole words', () => {
  it('per request', () => {
    for (const n of ['current_date', 'today', 'now()', "datetime.now().strftime('%H:%M')", "'now' | date: '%Y'", 'user.email', 'request_id', 'sessionId', 'git_status', 'cwd', 'selection', 'input:topic', 'uuid4()', 'session_uuid', 'user_input', 'TODAY_DATE']) {
      assert.ok(namedPerRequest(n), n);
    }
  });
  it('not per request', () => {
    for (const n of ['validate', 'return_format', 'date_format', 'knowledge_cutoff_date', 'release_date', 'turn_instructions', 'updated', 'UUID', 'workspaceFolder', 'ex.question', 'example_input', 'system_prompt', 'tools', 'agent_name', 'timezone']) {
      assert.equal(namedPerRequest(n), undefined, n);
    }
  });
});

describe('volatile-prefix: request bodies', () => {
  const body = (system: string, messages: object[]) => JSON.stringify({ model: 'claude-sonnet-4-5', system, messages }, null, 2);
  it('a generated value in the system prompt of a body is per request, even without a label', () => {
    const f = volatile(body(`Trace 3f2b8c1e-9d4a-4e7b-a1c2-0b9d8e7f6a5c.\n${STATIC}`, [{ role: 'user', content: 'hi' }]), 'request.json');
    assert.deepEqual(f.map((x) => x.evidence?.kind), ['request-body']);
  });
  it('values in earlier turns are replayed as they were; labels inside JSON strings are read line by line', () => {
    const history = [
      { role: 'user', content: 'What time is it?' },
      { role: 'assistant', content: 'It is 2025-06-01T10:00:00Z.' },
      { role: 'user', content: 'Thanks.' },
    ];
    assert.deepEqual(volatile(body(STATIC, history), 'request.json'), []);
    const f = volatile(body(`Intro.\nToday's date: 2025-06-01\nMore.\n${STATIC}`, [{ role: 'user', content: 'hi' }]), 'request.json');
    assert.equal(f.length, 1);
    assert.equal(f[0].evidence?.kind, 'label');
  });
});

describe('volatile-prefix: history', () => {
  it('a literal that changed across versions carries the commits and earlier values; unchanged literals do not', () => {
    const v = (d: string) => `# Shop\nPrices as of 2025-01-${d}.\nSupport hours 9-17.\n${STATIC}`;
    const history = ['01', '08', '15'].map((d, i) => ({ commit: `${i}`.repeat(40), date: `2025-01-${d}T00:00:00Z`, source: v(d) }));
    const f = volatile(v('22'), 'system.md', { history });
    assert.equal(f.length, 1);
    assert.equal(f[0].range.start.line, 2);
    assert.deepEqual(f[0].evidence?.commits?.map((c) => c.value), ['2025-01-01', '2025-01-08', '2025-01-15']);
    assert.equal(f[0].severity, 'warning');
    assert.match(f[0].message, /Changed in 3 of 3 earlier version/);
    assert.deepEqual(volatile(v('22'), 'system.md', { history: history.map((h) => ({ ...h, source: v('22') })) }), [], 'never changed');
  });
});

describe('placeholder-before-static', () => {
  it('the first per-request placeholder before static text is reported; deployment-fixed ones do not end the prefix', () => {
    const fixedFirst = `{{ instructions }}\n{{ tools }}\n${STATIC}\n`;
    assert.deepEqual(lintPrompt(fixedFirst, { fileName: 't.j2' }), []);
    const f = lintPrompt(`{{ instructions }}\nTier: {{ customer.tier }}\n${STATIC}\n`, { fileName: 't.j2' });
    assert.deepEqual(f.map((x) => x.ruleId), ['placeholder-before-static']);
    assert.equal(f[0].evidence?.name, 'customer.tier');
    // A name that says "per request" is the more specific volatile-prefix finding instead.
    assert.deepEqual(lintPrompt(`{{ instructions }}\nQuestion: {{ customer_question }}\n${STATIC}\n`, { fileName: 't.j2' }).map((x) => x.ruleId), ['volatile-prefix']);
  });
  it('corpus: agent and flow templates whose variables come last are not reported', () => {
    for (const file of ['templates/dynamiq-agent-prompt.j2', 'promptflow/chat-with-wikipedia-augmented_chat.jinja2', 'promptflow/web-classification-classify_with_llm.jinja2']) {
      assert.deepEqual(lintPrompt(corpus(file), { fileName: file }).filter((x) => x.ruleId === 'placeholder-before-static'), [], file);
    }
  });
});
