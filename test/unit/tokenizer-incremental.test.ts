// Incremental re-tokenization: after every edit the tokens, starts and first divergent token must equal a
// full re-encode. Random and targeted edits (the cases that break naive restart rules) on ~100 KB prompts.
import { test } from 'node:test';
import { scaled } from './fixtures/scale';
import * as assert from 'node:assert/strict';
import { getBpeEncoder, type EncodingName } from '../../src/core/encodings';
import { IncrementalTokenizer, type IncrementalTokenizerOptions } from '../../src/core/tokenizer/incremental';
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

function runEdits(name: EncodingName, size: number, edits: number, seed: number, options?: IncrementalTokenizerOptions): void {
  const enc = getBpeEncoder(name);
  const r: () => number = rng(seed);
  const inc = new IncrementalTokenizer(enc, makePrompt(size, seed), options);
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

// Under `npm run test:soak` (PCA_SOAK=1): 10,400 edits in all, each checked against a full re-encode (which is most
// of the test's time): 6,000 on 100 KB prompts and 4,400 on 20 KB ones, across o200k_base and cl100k_base. The
// default unit run checks a tenth of them.
const EDITS_100KB = scaled(300, 3000);
const EDITS_20KB = scaled(220, 2200);
for (const [name, seed] of [['o200k_base', 1], ['cl100k_base', 2]] as const) {
  test(`${name}: ${EDITS_100KB} random and targeted edits on a 100 KB prompt equal a full re-encode`, () => {
    runEdits(name, 100_000, EDITS_100KB, seed);
  });
  test(`${name}: ${EDITS_20KB} random and targeted edits on a 20 KB prompt equal a full re-encode`, () => {
    runEdits(name, 20_000, EDITS_20KB, seed + 10);
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

// The re-scan reads a window copied out of a rope of blocks. Tiny windows and blocks put window ends and block
// ends everywhere: inside contractions, whitespace runs, letter runs, digit runs and surrogate pairs.
for (const [windowChars, ropeBlockChars] of [[1, 1], [5, 3], [8, 16], [37, 64]] as const) {
  test(`tiny re-scan windows (${windowChars}) and rope blocks (${ropeBlockChars}): random and targeted edits equal a full re-encode`, () => {
    for (const name of ['o200k_base', 'cl100k_base', 'p50k_base'] as const) {
      runEdits(name, 6_000, 500, 21 + windowChars, { windowChars, ropeBlockChars });
    }
  });
}

/** Applies each edit and compares ids and firstChangedToken with a full re-encode. */
function checkEdits(name: EncodingName, text: string, edits: [number, number, string][], options?: IncrementalTokenizerOptions): void {
  const enc = getBpeEncoder(name);
  const inc = new IncrementalTokenizer(enc, text, options);
  let prev = enc.encode(text);
  for (const [offset, del, ins] of edits) {
    const res = inc.applyEdit(offset, del, ins);
    text = text.slice(0, offset) + ins + text.slice(offset + del);
    const full = enc.encode(text);
    const where = `${name} window ${options?.windowChars} edit (${offset}, ${del}, ${JSON.stringify(ins)}) near ${JSON.stringify(text.slice(Math.max(0, offset - 12), offset + 12))}`;
    assert.equal(inc.tokenCount, full.length, where);
    assert.equal(firstDiff(inc.ids, full), full.length, where);
    assert.equal(res.firstChangedToken, firstDiff(prev, full), where);
    assert.equal(inc.length, text.length, where);
    const a = Math.max(0, offset - 9);
    assert.equal(inc.textSlice(a, offset + ins.length + 9), text.slice(a, offset + ins.length + 9), where);
    prev = full;
  }
  assert.equal(inc.text, text);
  const { starts } = enc.tokenize(text);
  assert.equal(firstDiff(inc.starts, starts), starts.length);
}

test('window boundaries: runs, contractions and surrogate pairs crossing the window end; edits at both ends', () => {
  const hazards = [
    ' '.repeat(100) + 'x', // a long whitespace run: \s+(?!\S) looks across all of it
    '  \n' + ' '.repeat(60) + '\n\n ' + '\t'.repeat(20) + 'y', // \s*[\r\n]+ backtracks over the run
    '\n    '.repeat(20) + '\n        '.repeat(4) + 'x', // a cut run ends a match well before the window end
    'a'.repeat(100) + "'s tail", // a letter run ending in a contraction
    'ABC'.repeat(30) + "'RE x", // upper-case run (o200k's second letter branch) and a case-insensitive contraction
    "it's you're 123456789 don'T I'll I've x'ſ ".repeat(3), // contractions, digits, long s
    '😀'.repeat(40) + 'a😀 😀\ud83d b', // surrogate pairs (and a lone high surrogate)
    '日本語'.repeat(25) + '\u0301\u0301 é', // letters beyond ASCII and combining marks
    '////\n\n;;;;\r\n'.repeat(6) + '!!!', // punctuation runs with trailing newlines and slashes
    ' \ufeff\u0085\u00a0\u3000 '.repeat(10) + 'z', // BOM (not whitespace for Rust) among whitespace
  ];
  const inserts = ['a', ' ', '\n', "'", 'Z', '1', '😀', '\ud83d', '\ude00', '.'];
  // The first window ends `windowChars` past the edit, so the window sizes put its end at every nearby position.
  const configs = [
    ['o200k_base', [1, 2, 3, 4, 5, 6, 7, 9, 13, 32]],
    ['cl100k_base', [1, 2, 3, 4, 5, 6, 7, 9, 13, 32]],
    ['r50k_base', [1, 3, 8]],
  ] as const;
  for (const [name, windowSizes] of configs) {
    for (const windowChars of windowSizes) {
      for (const hazard of hazards) {
        const text = 'head ' + hazard + ' end';
        const edits: [number, number, string][] = [];
        // Insert-then-delete at every offset.
        for (let at = 0; at <= text.length; at++) {
          const ins = inserts[at % inserts.length];
          edits.push([at, 0, ins], [at, ins.length, '']);
        }
        edits.push([0, 0, ' '], [0, 1, ''], [text.length, 0, "'s"], [text.length, 2, ''], [0, text.length, hazard], [hazard.length, 0, hazard]);
        checkEdits(name, text, edits, { windowChars, ropeBlockChars: 7 });
      }
    }
  }
});

test('default window: a run longer than the window and an insert longer than the window', () => {
  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    const text = makePrompt(30_000, 4);
    const runAt = 12_345;
    checkEdits(name, text, [
      [runAt, 0, 'q'.repeat(5000)], // one letter chunk spanning several windows and rope blocks
      [runAt + 2500, 0, ' '], // split it
      [runAt + 2500, 1, ''], // and rejoin it
      [runAt, 0, ' '.repeat(3000) + '\n'], // whitespace run longer than the window
      [runAt + 1500, 0, 'x'],
      [runAt + 1500, 1, ''],
      [8190, 10, '😀😀'], // around a rope block boundary (8192)
      [16_383, 2, '\ud83d'],
      [0, 0, 'start '],
      [text.length, 0, ' end'],
      [100, 20_000, ''], // a deletion spanning several rope blocks
    ]);
  }
});

test('an edit that throws while re-encoding leaves the text and tokens as they were', () => {
  const enc = getBpeEncoder('o200k_base');
  const text = makePrompt(40_000, 6);
  const inc = new IncrementalTokenizer(enc, text, { ropeBlockChars: 1000 });
  const appendPiece = Object.getOwnPropertyDescriptor(enc, 'appendPiece');
  Object.defineProperty(enc, 'appendPiece', { configurable: true, value: () => { throw new Error('injected'); } });
  try {
    assert.throws(() => inc.applyEdit(12_000, 3000, 'x'.repeat(50)), /injected/);
  } finally {
    if (appendPiece) Object.defineProperty(enc, 'appendPiece', appendPiece);
    else delete (enc as { appendPiece?: unknown }).appendPiece;
  }
  assert.equal(inc.text, text);
  assert.deepEqual(Array.from(inc.ids), Array.from(enc.encode(text)));
  inc.applyEdit(12_000, 3000, 'x'.repeat(50));
  const edited = text.slice(0, 12_000) + 'x'.repeat(50) + text.slice(15_000);
  assert.equal(inc.text, edited);
  assert.deepEqual(Array.from(inc.ids), Array.from(enc.encode(edited)));
});
