// The JSON syntax scanner that places "Malformed JSON" problems, and JSON bodies saved with a UTF-8 BOM.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintPrompt } from '../../src/core/audit';
import { extractPrompt } from '../../src/core/formats';
import { findJsonSyntaxError } from '../../src/core/formats/jsonSyntax';
import { renderedToSourceOffset } from '../../src/core/text';

describe('findJsonSyntaxError', () => {
  it('accepts valid JSON (escapes, numbers, literals, nesting, surrounding whitespace)', () => {
    for (const s of ['{}', '[]', ' \t\r\n0 ', '-0.5e+10', '"\\u00e9\\n\\"\\\\\\/"', '{"a":[true,false,null,{"b":[[]]}],"c":-12.5E-3}', '"\u2028\ud800"']) {
      assert.equal(findJsonSyntaxError(s), null, s);
    }
  });

  it('reports the first offset where the grammar fails, with a one-line message', () => {
    const cases: [string, number, RegExp][] = [
      ['{"a": tru}', 9, /true, false and null/],
      ["{'a': 1}", 1, /property name in double quotes/],
      ['{"a": \'x\'}', 6, /double quotes/],
      ['name: support', 1, /not a JSON value/],
      ['{"a": 1} x', 9, /end of the input/],
      ['{"a": 1 "b": 2}', 8, /',' or '}'/],
      ['[1, 2 3]', 6, /',' or ']'/],
      ['[1,]', 3, /trailing comma/],
      ['{"a": 1,}', 8, /trailing comma/],
      ['{"a" 1}', 5, /':'/],
      ['{"a": "x\ny"}', 8, /U\+000A inside a string/],
      ['"\\q"', 2, /invalid escape/],
      ['"\\u12x4"', 5, /4 hex digits/],
      ['01', 1, /end of the input/],
      ['1.', 2, /decimal point/],
      ['1e', 2, /exponent/],
      ['// comment\n{}', 0, /comments/],
      ['{"a": {{ question }}}', 7, /property name/],
      ['{"a": [1, 2', 11, /end of input/],
      ['', 0, /end of input/],
      ['\uFEFF{}', 0, /U\+FEFF/],
    ];
    for (const [s, offset, message] of cases) {
      const r = findJsonSyntaxError(s);
      assert.ok(r, `an error in ${JSON.stringify(s)}`);
      assert.equal(r.offset, offset, `offset for ${JSON.stringify(s)}: ${r.message}`);
      assert.match(r.message, message);
      assert.doesNotMatch(r.message, /[\n\r]/);
    }
  });

  it('does not echo the file: at most the offending character', () => {
    const r = findJsonSyntaxError('{"api_key": sk-secret-value}');
    assert.ok(r);
    assert.doesNotMatch(r.message, /secret/);
  });

  it('deep nesting does not overflow the stack', () => {
    assert.equal(findJsonSyntaxError(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), null);
    assert.equal(findJsonSyntaxError('['.repeat(200_000))?.offset, 200_000);
  });

  it('agrees with JSON.parse on mutated request bodies, and with V8 on the position when V8 gives one', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const bases = ['{"model":"gpt-4o","messages":[{"role":"user","content":"Hi \\"there\\" \\u00e9"}],"n":-1.5e+3,"x":[true,false,null,0,12.5]}', '[1, 2, {"a": {"b": []}}]', ' -0.0e-1 '];
    const alphabet = '{}[]:,"\\ \n\tabcefnlrstu0123456789-+.eE\'/\u00e9\u0001';
    const wrong: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      let s = bases[k % bases.length];
      for (let e = 1 + Math.floor(rnd() * 3); e > 0; e--) {
        const at = Math.floor(rnd() * (s.length + 1));
        const op = rnd();
        const ch = alphabet[Math.floor(rnd() * alphabet.length)];
        s = op < 0.33 ? s.slice(0, at) + ch + s.slice(at) : op < 0.66 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + ch + s.slice(at + 1);
      }
      let v8Valid = true;
      let v8Position: number | undefined;
      try {
        JSON.parse(s);
      } catch (e) {
        v8Valid = false;
        const m = /position (\d+)/.exec((e as Error).message);
        v8Position = m ? Number(m[1]) : undefined;
      }
      const r = findJsonSyntaxError(s);
      if ((r === null) !== v8Valid) wrong.push(`${JSON.stringify(s)}: JSON.parse ${v8Valid ? 'accepts' : 'rejects'}, scanner ${JSON.stringify(r)}`);
      else if (r && v8Position !== undefined && r.offset !== v8Position) wrong.push(`${JSON.stringify(s)}: V8 at ${v8Position}, scanner at ${r.offset}`);
    }
    assert.deepEqual(wrong.slice(0, 10), []);
  });
});

describe('JSON request bodies with a UTF-8 BOM', () => {
  const body = '{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}';

  it('extract like the same body without a BOM, with the BOM kept as plain text in front', () => {
    const plain = extractPrompt(body, 'request.json');
    const bom = extractPrompt(`\uFEFF${body}`, 'request.json');
    assert.deepEqual(bom.problems, []);
    assert.equal(bom.format, 'json-openai-chat');
    assert.equal(bom.text, `\uFEFF${plain.text}`);
    assert.equal(renderedToSourceOffset(bom.map, 0), 0);
  });

  it('source offsets stay exact after the BOM', () => {
    const src = `\uFEFF${body}`;
    const p = extractPrompt(src, 'request.json');
    const r = p.text.indexOf('Be brief.');
    assert.equal(src.slice(renderedToSourceOffset(p.map, r), renderedToSourceOffset(p.map, r) + 'Be brief.'.length), 'Be brief.');
  });

  it('a malformed body after a BOM is located relative to the file', () => {
    const src = '\uFEFF{"a": tru}';
    const p = extractPrompt(src, 'request.json');
    assert.equal(p.problems.length, 1);
    assert.equal(p.problems[0].start, src.indexOf('}'));
  });

  it('lint: the bom rule still sees the BOM, and reordered-keys works on a BOM file', () => {
    const findings = lintPrompt(`\uFEFF${body}`, { fileName: 'request.json', encoding: 'o200k_base' }, body);
    assert.ok(findings.some((f) => f.ruleId === 'bom' && f.range.start.offset === 0));
    const reordered = '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"model":"gpt-4o"}';
    const src = `\uFEFF${reordered}`;
    const moved = lintPrompt(src, { fileName: 'request.json', encoding: 'o200k_base' }, `\uFEFF${body}`).find((f) => f.ruleId === 'reordered-keys');
    assert.ok(moved, 'reordered-keys reported');
    assert.equal(src.slice(moved.range.start.offset, moved.range.end.offset), '"messages"');
  });
});
