// extractPrompt per format: what the model sees, segments, source mapping, problems.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractPrompt, formatForFileName } from '../../src/core/formats';
import { renderedToSourceOffset } from '../../src/core/text';

const at = (p: ReturnType<typeof extractPrompt>, src: string, needle: string) => {
  const r = p.text.indexOf(needle);
  assert.ok(r >= 0, `rendered text contains ${needle}`);
  return src.slice(renderedToSourceOffset(p.map, r), renderedToSourceOffset(p.map, r) + needle.length);
};

describe('formats: plain text and markdown', () => {
  it('renders .txt and .md as is, with an identity map', () => {
    const src = 'Line one\r\nLine two\n';
    for (const name of ['a.txt', 'a.md']) {
      const p = extractPrompt(src, name);
      assert.equal(p.text, src);
      assert.equal(renderedToSourceOffset(p.map, 12), 12);
      assert.equal(p.firstVariableOffset, null);
      assert.deepEqual(p.problems, []);
    }
    assert.equal(formatForFileName('x.md'), 'markdown');
    assert.equal(formatForFileName('notes'), 'text');
  });
  it('Markdown sections become segments named by heading (not inside code fences)', () => {
    const src = 'Intro\n# Title\ntext\n```\n# not a heading\n```\n## Tone\nBe kind.\n';
    const p = extractPrompt(src, 'a.md');
    assert.deepEqual(p.segments.map((s) => s.name), ['(before the first heading)', '# Title', '## Tone']);
    assert.equal(p.segments[2].end, src.length);
  });
  it('--raw keeps everything, front matter included', () => {
    const src = '---\nmode: ask\n---\nBody';
    const p = extractPrompt(src, 'x.prompt.md', { raw: true });
    assert.equal(p.text, src);
    assert.equal(p.format, 'raw');
  });
});

describe('formats: prompt files and prompty', () => {
  it('leaves YAML front matter out of the tokens and maps the body back', () => {
    const src = '---\nmode: agent\ntools: [a, b]\n---\nHello ${input:name}, welcome.\n';
    const p = extractPrompt(src, 'greet.prompt.md');
    assert.equal(p.format, 'prompt-file');
    assert.equal(p.text, 'Hello ${input:name}, welcome.\n');
    assert.deepEqual(p.frontMatter, { start: 0, end: 34 });
    assert.equal(at(p, src, 'welcome'), 'welcome');
    assert.equal(p.firstVariableOffset, 6);
  });
  for (const name of ['x.instructions.md', 'x.agent.md', 'x.chatmode.md']) {
    it(`treats ${name} as a prompt file`, () => assert.equal(extractPrompt('---\na: 1\n---\nB', name).text, 'B'));
  }
  it('reports malformed front matter YAML as a problem with a source range, never throws', () => {
    const src = '---\nmode: [unclosed\n---\nBody\n';
    const p = extractPrompt(src, 'x.prompt.md');
    assert.equal(p.text, 'Body\n');
    assert.ok(p.problems.length > 0);
    assert.ok(p.problems[0].start >= 4 && p.problems[0].start <= 20); // inside the front matter
  });
  it('an unclosed front matter fence is a problem; the whole file stays prompt text', () => {
    const p = extractPrompt('---\nmode: ask\nBody', 'x.prompt.md');
    assert.equal(p.text, '---\nmode: ask\nBody');
    assert.equal(p.problems.length, 1);
  });
  it('renders .prompty bodies as Jinja templates; role lines start messages and are not text', () => {
    const src = '---\nname: t\n---\nsystem:\nYou help.\nuser:\n{{question}}\n';
    const p = extractPrompt(src, 'a.prompty');
    assert.equal(p.format, 'prompty');
    assert.equal(p.text, 'You help.{{ question }}');
    assert.deepEqual(p.hardBoundaries, [p.text.indexOf('{{')]);
    assert.equal(p.firstVariableOffset, p.text.indexOf('{{'));
  });
});

describe('formats: templates', () => {
  it('Jinja: placeholders become stable markers, comments vanish, firstVariableOffset is set', () => {
    const src = '{# note #}Static A\n{{   user.name  }} and {% if x %}yes{% endif %}\n';
    const p = extractPrompt(src, 't.j2');
    assert.equal(p.text, 'Static A\n{{ user.name }} and {% if x %}yes{% endif %}\n');
    assert.equal(p.firstVariableOffset, 9);
    assert.equal(at(p, src, 'Static A'), 'Static A');
    assert.equal(renderedToSourceOffset(p.map, 9), src.indexOf('{{'));
  });
  it('Jinja whitespace control trims neighbouring whitespace', () => {
    const p = extractPrompt('A  \n  {%- if x -%}  \n B', 't.jinja');
    assert.equal(p.text, 'A{% if x %}B');
  });
  it('Jinja raw blocks are literal and static; set is not a per-request output', () => {
    const p = extractPrompt('{% set a = 1 %}Intro {% raw %}{{ not a tag }}{% endraw %} end {{ v }}', 'x.jinja2');
    assert.equal(p.text, '{% set a = 1 %}Intro {{ not a tag }} end {{ v }}');
    assert.equal(p.firstVariableOffset, p.text.indexOf('{{ v }}'));
  });
  it('Handlebars/Mustache: comments removed, sections/partials are variable, standalone lines removed', () => {
    const src = '{{!-- long -- comment --}}Hi\n{{#each items}}\n- {{this}}\n{{/each}}\n{{> footer}}';
    const p = extractPrompt(src, 'x.hbs');
    assert.equal(p.text, 'Hi\n{{#each items}}- {{this}}\n{{/each}}{{> footer}}');
    assert.equal(p.firstVariableOffset, 3);
    assert.equal(extractPrompt('A{{! c }}B{{{raw}}}', 'x.mustache').text, 'AB{{{raw}}}');
  });
  it('Liquid: {% comment %} blocks removed', () => {
    const p = extractPrompt('A{% comment %}hidden {{ x }}{% endcomment %}B {{ y | upcase }}', 'x.liquid');
    assert.equal(p.text, 'AB {{ y | upcase }}');
  });
  it('an unterminated tag is a problem, not a throw', () => {
    const src = 'Static {{ name and more';
    const p = extractPrompt(src, 'x.j2');
    assert.equal(p.problems.length, 1);
    assert.equal(p.problems[0].start, 7);
    assert.equal(p.text, src);
  });
});

describe('formats: JSON request bodies', () => {
  const anthropic = JSON.stringify(
    {
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: 'Be kind.', cache_control: { type: 'ephemeral' } }],
      tools: [
        { name: 'a', description: 'Tool A', input_schema: { type: 'object' } },
        { name: 'b', description: 'Tool B', input_schema: { type: 'object' } },
      ],
      messages: [{ role: 'user', content: 'Hi' }],
    },
    null,
    2,
  );
  it('Anthropic: detected, rendered tools → system → messages, cache_control omitted but recorded', () => {
    const p = extractPrompt(anthropic, 'req.json');
    assert.equal(p.format, 'json-anthropic');
    assert.ok(p.text.indexOf('tools: ') < p.text.indexOf('system: '));
    assert.ok(p.text.indexOf('system: ') < p.text.indexOf('messages: '));
    assert.ok(!p.text.includes('cache_control'));
    assert.equal(p.breakpoints.length, 1);
    const sys = p.segments.find((s) => s.name === 'system[0]')!;
    assert.equal(p.breakpoints[0], sys.end);
    assert.ok(p.segments.some((s) => s.name === 'tools[1].description'));
    assert.equal(p.blocks.length, 4); // 2 tools, 1 system block, 1 message
    assert.equal(at(p, anthropic, 'Tool B'), 'Tool B');
    assert.equal(p.finalTurnOffset, p.segments.find((s) => s.name === 'messages[0]')!.start);
    assert.ok(!p.text.includes('claude-sonnet')); // the model id is routing, not prompt text
  });
  it('keeps key order and drops file whitespace', () => {
    const a = extractPrompt('{"messages":[{"role":"user","content":"x"}]}', 'a.json');
    const b = extractPrompt('{\n  "messages": [ { "content": "x", "role": "user" } ]\n}', 'a.json');
    assert.equal(a.format, 'json-openai-chat');
    assert.notEqual(a.text, b.text);
    assert.equal(a.text, extractPrompt('{ "messages" : [{"role":"user",  "content":"x"}] }', 'a.json').text);
  });
  it('OpenAI Responses: instructions before input', () => {
    const p = extractPrompt('{"input":"q","instructions":"sys"}', 'r.json');
    assert.equal(p.format, 'json-openai-responses');
    assert.ok(p.text.indexOf('instructions') < p.text.indexOf('input'));
  });
  it('Gemini generateContent: system instruction and tools before contents; final user turn found', () => {
    const p = extractPrompt(JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'q' }] }], systemInstruction: { parts: [{ text: 'sys' }] } }), 'g.json');
    assert.equal(p.format, 'json-gemini');
    assert.ok(p.text.indexOf('systemInstruction') < p.text.indexOf('contents'));
    assert.equal(p.finalTurnOffset, p.segments.find((s) => s.name === 'contents[0]')!.start);
  });
  it('Gemini: an opaque thoughtSignature is not counted as prompt text (the model is not fed its base64)', () => {
    const sig = 'Q2lRQjRGdkd'.repeat(300);
    const body = (withSig: boolean) => ({ contents: [{ role: 'user', parts: [{ text: 'q' }] }, { role: 'model', parts: [{ text: 'a', ...(withSig ? { thoughtSignature: sig } : {}) }] }, { role: 'user', parts: [{ text: 'next' }] }] });
    const p = extractPrompt(JSON.stringify(body(true)), 'g.json');
    assert.ok(!p.text.includes('Q2lRQjRGdkd'), 'the signature is not rendered');
    assert.equal(p.text, extractPrompt(JSON.stringify(body(false)), 'g.json').text);
  });
  it('malformed JSON is a problem with a position; the text is still counted', () => {
    const src = '{"messages": [1, 2,, 3]}';
    const p = extractPrompt(src, 'bad.json');
    assert.equal(p.problems.length, 1);
    assert.match(p.problems[0].message, /Malformed JSON/);
    assert.ok(p.problems[0].start > 0);
    assert.equal(p.text, src);
  });
  it('escaped strings map to the start of their source string', () => {
    const src = '{"messages":[{"role":"user","content":"caf\\u00e9 ok"}]}';
    const p = extractPrompt(src, 'e.json');
    const r = p.text.indexOf('café');
    assert.equal(src[renderedToSourceOffset(p.map, r)], '"');
  });
});
