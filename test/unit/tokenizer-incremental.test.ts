// Incremental re-tokenization: after every edit the tokens, starts and first divergent token must equal a
// full re-encode. Random and targeted edits (the cases that break naive restart rules) on ~100 KB prompts.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { getBpeEncoder, type EncodingName } from '../../src/core/encodings';
import { IncrementalTokenizer } from '../../src/core/tokenizer/incremental';
// @ts-expect-error plain ESM helper shared with the benchmark (no type declarations)
import { makePrompt, rng } from '../../bench/tokenizer-corpus.mjs';

const INSERTS = [
  "'s", "'S", "'ſ", "'re", "'ll", "'", 's', 'e', 're', 'l', 'd', 't', 'T', 'x', 'Hello', ' ', '  ', '   ', '\t', '\n', '\r',
  '\r\n', '\n\n', ' \n ', '/', ';', ';\n', '.', ',', '!', '"', '{', '}', '1', '12', '123', '4567', '😀', '\ud83d', '\ude00',
  '👍🏽', 'é', '\u0301', '日本', '\ufeff', '\u0085', '\u00a0', '\u3000', '<|endoftext|>', 'K', 'A', 'aB', 'ǅ', '-', '_',
  'word ', ' word', "don't", ' '.repeat(9), '\n'.repeat(3), 'a'.repeat(40),
];

function firstDiff(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function runEdits(name: EncodingName, size: number, edits: number, seed: number): void {
  const enc = getBpeEncoder(name);
  const r: () => number = rng(seed);
  const inc = new IncrementalTokenizer(enc, makePrompt(size, seed));
  let text = inc.text;
  let prev = enc.encode(text);
  let mismatches = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  for (let e = 0; e < edits; e++) {
    const len = text.length;
    let offset = Math.floor(r() * (len + 1));
    let del = 0;
    let ins = '';
    const kind = r();
    if (kind < 0.35) ins = pick(INSERTS);
    else if (kind < 0.55) del = Math.min(len - offset, 1 + Math.floor(r() * 3));
    else if (kind < 0.75) {
      del = Math.min(len - offset, Math.floor(r() * 8));
      ins = pick(INSERTS);
    } else if (kind < 0.85) {
      // Targeted: next to whitespace runs and apostrophes, where restart rules go wrong.
      const at = text.indexOf(pick([' ', '  ', '\n', "'", '\n\n', '{', '1']), offset);
      if (at >= 0) offset = at + Math.floor(r() * 3);
      offset = Math.min(offset, len);
      ins = pick(INSERTS);
    } else if (kind < 0.92) {
      del = Math.min(len - offset, Math.floor(r() * 200)); // larger deletions
    } else {
      // Paste a slice of the text itself, possibly cutting a surrogate pair.
      const s = Math.floor(r() * len);
      ins = text.slice(s, s + Math.floor(r() * 300));
    }
    const res = inc.applyEdit(offset, del, ins);
    text = text.slice(0, offset) + ins + text.slice(offset + del);
    assert.equal(inc.text, text);
    const checkStarts = e % 5 === 0;
    const full = checkStarts ? enc.tokenize(text) : { ids: enc.encode(text), starts: new Uint32Array(0) };
    const ids = inc.ids;
    const same = ids.length === full.ids.length && firstDiff(ids, full.ids) === ids.length;
    if (!same) {
      mismatches++;
      assert.fail(`${name} edit #${e} (${offset}, ${del}, ${JSON.stringify(ins)}): ids differ at token ${firstDiff(ids, full.ids)} near ${JSON.stringify(text.slice(Math.max(0, offset - 20), offset + 20))}`);
    }
    assert.equal(res.firstChangedToken, firstDiff(prev, full.ids), `firstChangedToken after edit #${e}`);
    assert.equal(res.identical, prev.length === full.ids.length && res.firstChangedToken === prev.length);
    if (checkStarts) {
      // Point queries first (they read through pending shifts), then the whole array (which settles them).
      for (let q = 0; q < 8 && text.length > 0; q++) {
        const i = Math.floor(r() * (full.ids.length + 1));
        assert.equal(inc.tokenStart(i), full.starts[i], `tokenStart(${i}) after edit #${e}`);
        const off = Math.floor(r() * text.length);
        const t = inc.tokenAt(off);
        assert.ok(full.starts[t] <= off && off < full.starts[t + 1], `tokenAt(${off}) after edit #${e}`);
      }
    }
    if (e % 25 === 0) {
      const starts = inc.starts;
      assert.equal(starts.length, full.starts.length);
      assert.equal(firstDiff(starts, full.starts), starts.length, `starts differ after edit #${e}`);
    }
    prev = full.ids;
  }
  assert.equal(mismatches, 0);
}

// 10,400 edits in all, each checked against a full re-encode (which is most of the test's time): 6,000 on
// 100 KB prompts and 4,400 on 20 KB ones, across o200k_base and cl100k_base.
const SCALE = Number(process.env.TOKENIZER_EDIT_SCALE ?? 1);
for (const [name, seed] of [['o200k_base', 1], ['cl100k_base', 2]] as const) {
  test(`${name}: ${3000 * SCALE} random and targeted edits on a 100 KB prompt equal a full re-encode`, () => {
    runEdits(name, 100_000, 3000 * SCALE, seed);
  });
  test(`${name}: ${2200 * SCALE} random and targeted edits on a 20 KB prompt equal a full re-encode`, () => {
    runEdits(name, 20_000, 2200 * SCALE, seed + 10);
  });
}

test('small documents: edits near the start, the end, and on empty text', () => {
  for (const name of ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'] as const) {
    runEdits(name, 300, 400, 9);
    const enc = getBpeEncoder(name);
    const inc = new IncrementalTokenizer(enc, '');
    assert.equal(inc.tokenCount, 0);
    let res = inc.applyEdit(0, 0, "hello world's");
    assert.deepEqual(Array.from(inc.ids), Array.from(enc.encode("hello world's")));
    assert.equal(res.firstChangedToken, 0);
    res = inc.applyEdit(0, 0, '');
    assert.equal(res.identical, true);
    assert.equal(res.firstChangedToken, inc.tokenCount);
    inc.applyEdit(0, inc.text.length, '');
    assert.equal(inc.tokenCount, 0);
    assert.throws(() => inc.applyEdit(1, 0, 'x'), RangeError);
  }
});

test('tokenStart and tokenAt agree with tokenize()', () => {
  const enc = getBpeEncoder('o200k_base');
  const text = makePrompt(10_000, 5) + ' 😀 日本 \ufeff';
  const inc = new IncrementalTokenizer(enc, text);
  const { starts } = enc.tokenize(text);
  for (let i = 0; i <= inc.tokenCount; i++) assert.equal(inc.tokenStart(i), starts[i]);
  for (let off = 0; off < text.length; off += 7) {
    const t = inc.tokenAt(off);
    assert.ok(starts[t] <= off && off < starts[t + 1], `tokenAt(${off})`);
  }
});
