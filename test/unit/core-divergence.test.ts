// Token-exact divergence: identical → null, BPE seams, CRLF, front matter, source positions, invariants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { diffVersions } from '../../src/core/audit';
import { commonTokenPrefix, tokenDivergence, tokenizePieces } from '../../src/core/divergence';
import { getEncoder } from '../../src/core/encodings';

const enc = getEncoder('o200k_base');

describe('divergence', () => {
  it('identical versions: firstDivergentToken and divergence are null, everything reusable', () => {
    const r = diffVersions('Hello there.\nBe brief.', 'Hello there.\nBe brief.', { fileName: 'a.txt' });
    assert.equal(r.firstDivergentToken, null);
    assert.equal(r.divergence, null);
    assert.equal(r.reusablePrefixTokens, r.new.tokens);
    assert.equal(r.recomputedTokens, 0);
    assert.equal(r.noEffectOnCache, undefined);
  });

  it('appending text can change the last token of the old version (common token prefix, not char prefix)', () => {
    // "hello" + "world" → BPE merges across the seam: the old last token is not reused.
    const oldText = 'Say hello';
    const newText = 'Say helloworld and more';
    const d = tokenDivergence(oldText, newText, enc);
    const oldIds = enc.encode(oldText);
    assert.ok(d.firstDivergentToken! < oldIds.length, 'the old last token is not part of the reusable prefix');
    const r = diffVersions(oldText, newText, { fileName: 'a.txt' });
    assert.equal(r.firstDivergentToken, d.firstDivergentToken);
    assert.ok(r.divergence!.offset < oldText.length, 'divergence points inside the old text, at the token that changed');
  });

  it('a pure append that keeps token boundaries reuses the whole old version', () => {
    const r = diffVersions('First line.\n', 'First line.\nSecond line.\n', { fileName: 'a.txt' });
    assert.equal(r.firstDivergentToken, r.old.tokens);
    assert.equal(r.divergence!.line, 2);
    assert.equal(r.divergence!.column, 1);
  });

  it('CRLF vs LF diverges at the first line break, with positions in both files', () => {
    const r = diffVersions('Alpha\nBeta\nGamma\n', 'Alpha\r\nBeta\r\nGamma\r\n', { fileName: 'a.md' });
    assert.notEqual(r.firstDivergentToken, null);
    assert.equal(r.divergence!.line, 1);
    assert.equal(r.divergence!.old.line, 1);
    assert.ok(r.divergence!.column <= 6);
  });

  it('line/column are 1-based and reported in both versions', () => {
    const oldSrc = 'one\ntwo\nthree four\n';
    const newSrc = 'zero\none\ntwo\nthree FOUR\n';
    const r = diffVersions(oldSrc, newSrc, { fileName: 'a.txt' });
    assert.deepEqual({ line: r.divergence!.line, column: r.divergence!.column, offset: r.divergence!.offset }, { line: 1, column: 1, offset: 0 });
    const r2 = diffVersions('one\ntwo\nthree four\n', 'one\ntwo\nthree FOUR\n', { fileName: 'a.txt' });
    assert.equal(r2.divergence!.line, 3);
    assert.equal(r2.divergence!.old.line, 3);
    assert.equal(r2.divergence!.column, 6);
  });

  it('a front-matter-only change has no effect on the cache (picker-only keys; `model`/`tools` are full misses)', () => {
    const a = '---\ndescription: Review\n---\nYou review code.\n';
    const b = '---\ndescription: Review code\nargument-hint: a file\n---\nYou review code.\n';
    const r = diffVersions(a, b, { fileName: 'review.prompt.md' });
    assert.equal(r.firstDivergentToken, null);
    assert.equal(r.noEffectOnCache, true);
    assert.equal(r.recomputedTokens, 0);
  });

  it('a body change in a prompt file maps to the source line after the front matter', () => {
    const a = '---\nmode: ask\n---\nLine A\nLine B\n';
    const b = '---\nmode: ask\n---\nLine A\nLine C\n';
    const r = diffVersions(a, b, { fileName: 'x.prompt.md' });
    assert.equal(r.divergence!.line, 5);
  });

  it('JSON: a divergence names its segment (tools[i].description) and maps into the file', () => {
    const mk = (d: string) =>
      JSON.stringify({ system: 'S', tools: [{ name: 't0', description: 'zero', input_schema: {} }, { name: 't1', description: d, input_schema: {} }], messages: [{ role: 'user', content: 'q' }] }, null, 2);
    const a = mk('Looks things up.');
    const b = mk('Looks things up fast.');
    const r = diffVersions(a, b, { fileName: 'req.json' });
    assert.equal(r.divergence!.segment, 'tools[1].description');
    const line = b.split('\n')[r.divergence!.line - 1];
    assert.match(line, /"description": "Looks things up fast\."/);
  });

  it('JSON whitespace-only reformatting has no effect on the cache', () => {
    const r = diffVersions('{"messages":[{"role":"user","content":"x"}]}', '{\n  "messages": [\n    {"role": "user", "content": "x"}\n  ]\n}\n', { fileName: 'a.json' });
    assert.equal(r.firstDivergentToken, null);
    assert.equal(r.noEffectOnCache, true);
  });

  it('hard boundaries split tokenization without losing text', () => {
    const t = tokenizePieces(enc, 'abc}\n{def', [4]);
    assert.equal(enc.decode(t.ids), 'abc}\n{def');
    assert.equal(t.starts[t.ids.length], 9);
    assert.ok(Array.from(t.starts).includes(4));
  });
});

describe('divergence invariants (property)', () => {
  const alphabet = fc.constantFrom('a', 'b', ' ', '\n', 'hello', ' world', '2026-11-22', '{', '}', 'é', '\r\n', '  ', 'ing', "'s");
  const textArb = fc.array(alphabet, { maxLength: 40 }).map((xs) => xs.join(''));
  const editArb = fc.record({ pos: fc.nat(), del: fc.nat({ max: 6 }), ins: textArb });

  it('holds for random edits', () => {
    fc.assert(
      fc.property(textArb, editArb, (base, e) => {
        const p = Math.min(e.pos, base.length);
        const next = base.slice(0, p) + e.ins.slice(0, 12) + base.slice(p + e.del);
        const d = tokenDivergence(base, next, enc);
        const o = d.old.ids;
        const n = d.new.ids;
        if (base === next) assert.equal(d.firstDivergentToken, null);
        assert.equal(d.reusablePrefixTokens + d.recomputedTokens, n.length);
        if (d.firstDivergentToken === null) {
          assert.deepEqual(Array.from(o), Array.from(n));
          return;
        }
        const k = d.firstDivergentToken;
        assert.ok(k <= Math.min(o.length, n.length));
        for (let i = 0; i < k; i++) assert.equal(o[i], n[i]);
        if (k < o.length && k < n.length) assert.notEqual(o[k], n[k]);
        assert.equal(k, commonTokenPrefix(o, n));
        // The rendered offset is where token k starts, and the texts agree before it.
        assert.equal(base.slice(0, d.renderedOffset!.old), next.slice(0, d.renderedOffset!.new));
      }),
      { numRuns: 300 },
    );
  });
});
