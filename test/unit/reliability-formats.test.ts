// Malformed prompt files: a diagnostic at the error (not at the top of the file), a one-line message that does not
// echo the file's content, and the rest still audited. BOM, CRLF and mixed line endings keep exact positions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditVersions, lintPrompt } from '../../src/core/audit';
import { getEncoder } from '../../src/core/encodings';
import { extractPrompt } from '../../src/core/formats';
import { LineIndex } from '../../src/core/text';

const BODY = (inner: string) => `{\n  "model": "gpt-4o",\n  "messages": [\n    {"role": "system", "content": "You are a support agent. Be brief."},\n    ${inner}\n  ]\n}\n`;

/** [label, source, offset of the error] */
const JSON_ERRORS_WITH_POSITION: [string, string, number][] = [
  ['missing comma between properties', '{"system": "Be brief."\n "messages": []}', 24],
  ['trailing garbage', '{"system": "Be brief.", "messages": []} x', 40],
  ['double comma', BODY('{"role": "user", "content": "Hi"},,'), BODY('{"role": "user", "content": "Hi"},,').indexOf(',,') + 1],
];

const JSON_ERRORS_WITHOUT_V8_POSITION: [string, string, number][] = [
  ['a bare word (tru)', BODY('{"role": "user", "content": tru}'), BODY('{"role": "user", "content": tru}').indexOf('tru}') + 3],
  ['single-quoted string', BODY("{\"role\": 'user', \"content\": \"Hi\"}"), BODY("{\"role\": 'user', \"content\": \"Hi\"}").indexOf("'user'")],
  ['a YAML-looking file named .json', 'name: support\nmessages: []\n', 0],
  ['template tag inside JSON', BODY('{"role": "user", "content": {{ question }}}'), BODY('{"role": "user", "content": {{ question }}}').indexOf('{{')],
];

function problemAt(source: string, name = 'request.json'): { start: number; message: string } {
  const p = extractPrompt(source, name);
  assert.ok(p.problems.length >= 1, 'a problem is reported');
  return p.problems[0];
}

describe('malformed JSON request bodies', () => {
  for (const [label, source, at] of JSON_ERRORS_WITH_POSITION) {
    test(`${label}: the problem is at the error`, () => {
      const p = problemAt(source);
      assert.ok(Math.abs(p.start - at) <= 1, `problem at ${p.start}, error at ${at} (${JSON.stringify(source.slice(at - 5, at + 5))})`);
    });
  }

  test(
    'errors Node reports without a position are still located',
    () => {
      const wrong: string[] = [];
      for (const [label, source, at] of JSON_ERRORS_WITHOUT_V8_POSITION) {
        const p = problemAt(source);
        const line = (o: number) => new LineIndex(source).position(o).line;
        if (line(p.start) !== line(at)) wrong.push(`${label}: problem on line ${line(p.start)} (offset ${p.start}), error on line ${line(at)} (offset ${at})`);
      }
      assert.deepEqual(wrong, []);
    },
  );

  test('the problem message is one line (the CLI prints file:line:col severity: message)', () => {
    for (const source of ['name: x\n', '\n\u0000', '%}---\n', '\r\n\u2028x', BODY('{"role": "user", "content": tru}')]) {
      const p = problemAt(source);
      assert.doesNotMatch(p.message, /[\n\r\0\u2028\u2029]/, `multi-line message ${JSON.stringify(p.message)}`);
    }
  });

  test('the rest is still audited: tokens, other findings, no throw', () => {
    for (const [, source] of [...JSON_ERRORS_WITH_POSITION, ...JSON_ERRORS_WITHOUT_V8_POSITION]) {
      const { result } = auditVersions(source, source.replace('Be brief', 'Be very brief'), { fileName: 'request.json', encoding: 'o200k_base' });
      assert.ok(result.new.tokens > 0);
      assert.ok(result.problems!.new.length >= 1);
      assert.doesNotThrow(() => lintPrompt(source, { fileName: 'request.json', encoding: 'o200k_base' }));
    }
  });

  test(
    'a UTF-8 BOM before a JSON body is not a syntax error',
    () => {
      const body = '{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}';
      const plain = extractPrompt(body, 'request.json');
      const bom = extractPrompt(`\uFEFF${body}`, 'request.json');
      assert.deepEqual(bom.problems, []);
      assert.equal(bom.format, plain.format);
    },
  );

  test('CRLF JSON bodies extract like LF ones', () => {
    const lf = BODY('{"role": "user", "content": "Hi"}');
    const a = extractPrompt(lf, 'request.json');
    const b = extractPrompt(lf.replace(/\n/g, '\r\n'), 'request.json');
    assert.deepEqual(b.problems, []);
    assert.equal(b.format, a.format);
    assert.equal(b.text, a.text, 'line endings between JSON tokens are not part of the prompt');
  });
});

describe('malformed front matter and unterminated template tags', () => {
  test('broken YAML front matter: problems inside the front matter, the body still extracted', () => {
    const source = '---\nmode: agent\ntools: [a, b\ndescription: "unterminated\n---\nYou are helpful.\nAnswer briefly.\n';
    const p = extractPrompt(source, 'support.prompt.md');
    const fmEnd = source.indexOf('---\n', 4) + 4;
    assert.ok(p.problems.length >= 1);
    for (const pr of p.problems) assert.ok(pr.start >= 0 && pr.end <= fmEnd, `problem ${pr.start}..${pr.end} inside the front matter (0..${fmEnd})`);
    assert.equal(p.text, 'You are helpful.\nAnswer briefly.\n');
  });

  test('front matter never closed: a warning, the whole file treated as text', () => {
    const source = '---\nmode: agent\nYou are helpful.\n';
    const p = extractPrompt(source, 'support.prompt.md');
    assert.ok(p.problems.some((x) => /not closed/i.test(x.message)));
    assert.ok(p.text.includes('You are helpful.'));
  });

  for (const [name, source, tag] of [
    ['support.j2', 'You are {{ persona.\nAlways answer.\n', '{{'],
    ['support.j2', 'Intro.\n{% if user %}Hello{% endif\nBye\n', '{% endif'],
    ['support.j2', 'Intro.\n{# a comment never closed\nBye\n', '{#'],
    ['support.hbs', 'Hello {{name\nBye\n', '{{'],
    ['support.liquid', 'Hello {{ name\nBye\n', '{{'],
    ['support.prompty', '---\nname: x\n---\nsystem:\nYou are {{ persona\n', '{{'],
  ] as const) {
    test(`${name}: unterminated ${JSON.stringify(tag)} is reported at the tag, the rest audited`, () => {
      const p = extractPrompt(source, name);
      const at = source.indexOf(tag);
      assert.ok(p.problems.length >= 1, `no problem for ${JSON.stringify(source)}`);
      assert.ok(p.problems.some((x) => x.start === at), `a problem at the tag (offset ${at}): ${JSON.stringify(p.problems)}`);
      assert.ok(p.text.length > 0);
      const { result } = auditVersions(source, `${source}More.\n`, { fileName: name, encoding: 'o200k_base' });
      assert.ok(result.new.tokens > 0);
    });
  }
});

describe('BOM and line endings', () => {
  test(
    'decode keeps a leading BOM (decode(encode(s)) === s)',
    () => {
      const e = getEncoder('o200k_base');
      assert.equal(e.decode(e.encode('\uFEFFhello')), '\uFEFFhello');
    },
  );

  test('a BOM is part of the prompt: adding or removing one diverges at token 0', () => {
    const text = 'You are a support agent.\nBe brief.\n';
    const r = auditVersions(text, `\uFEFF${text}`, { fileName: 'system.md', encoding: 'o200k_base' }).result;
    assert.equal(r.firstDivergentToken, 0);
    assert.deepEqual([r.divergence?.line, r.divergence?.column], [1, 1]);
  });

  test('CRLF, LF and lone CR: divergence line/column as the editor counts them', () => {
    const oldText = 'one\r\ntwo\nthree\rfour\r\nfive\n';
    const newText = 'one\r\ntwo\nthree\rfour\r\nFIVE\n';
    const r = auditVersions(oldText, newText, { fileName: 'notes.txt', encoding: 'o200k_base' }).result;
    assert.equal(r.divergence?.line, 5);
    assert.equal(r.divergence?.column, 1);
  });

  test('an empty file against itself and against text', () => {
    const same = auditVersions('', '', { fileName: 'a.prompt.md', encoding: 'o200k_base' }).result;
    assert.equal(same.firstDivergentToken, null);
    assert.equal(same.new.tokens, 0);
    for (const p of same.providers) assert.ok(Number.isFinite(p.hitRatio));
    const grow = auditVersions('', 'Hello', { fileName: 'a.prompt.md', encoding: 'o200k_base' }).result;
    assert.equal(grow.firstDivergentToken, 0);
  });
});
