// Exactness of the tokenizer against tiktoken's Rust core (npm `tiktoken`, WASM) on every encoding:
// a varied fixed corpus, the known traps, random strings over a nasty alphabet, and long unbroken runs.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { get_encoding, type Tiktoken } from 'tiktoken';
import { ENCODING_NAMES, getEncoder, getBpeEncoder, tokenStarts, type BpeEncodingName as EncodingName } from '../../src/core/encodings';
import { BytePairMerger } from '../../src/core/tokenizer/bpe';
import { BpeEncoder } from '../../src/core/tokenizer/encoder';
import { defaultClassMode } from '../../src/core/tokenizer/patterns';
// @ts-expect-error plain ESM helper shared with the benchmark (no type declarations)
import { makePrompt } from '../../bench/tokenizer-corpus.mjs';

const reference = new Map<EncodingName, Tiktoken>();
function tiktokenIds(name: EncodingName, text: string): number[] {
  let tk = reference.get(name);
  if (!tk) {
    tk = get_encoding(name);
    reference.set(name, tk);
  }
  // Special-token text is plain text in a prompt file: nothing allowed, nothing disallowed.
  return Array.from(tk.encode(text, [], []));
}

function assertSameIds(name: EncodingName, text: string): void {
  const ours = Array.from(getEncoder(name).encode(text));
  const theirs = tiktokenIds(name, text);
  if (ours.length !== theirs.length || ours.some((x, i) => x !== theirs[i])) {
    assert.fail(`${name}: ids differ on ${JSON.stringify(text.length > 200 ? text.slice(0, 200) + '…' : text)}\n ours ${ours.slice(0, 40)}\n tiktoken ${theirs.slice(0, 40)}`);
  }
}

const CORPUS: string[] = [
  '',
  'Hello, world! This is a test of the emergency broadcast system.',
  "It's what we're doing; they'll see, I'd say you've got it. IT'S WE'RE THEY'LL I'D YOU'VE DON'T",
  "the cat'ſ hat, it'ſ fine; 'ſ alone; x'Ś 'Ŀl 'K",
  'a\u0085b \u0085 \u0085\u0085x\n\u0085\n',
  '\ufeffStarts with a BOM',
  'spaces then BOM:   \ufeff  \ufeffword \ufeff\ufeff',
  'line one\r\nline two\r\n\r\nline four\nline five\r\n\n\r\r\n  \r\n\t\r\n',
  'plain text <|endoftext|> and <|endofprompt|> and <|fim_prefix|><|fim_middle|><|fim_suffix|>',
  '    indented\n        more\n\t\ttabs\n   \n \n  trailing   ',
  ' '.repeat(100) + 'x' + ' '.repeat(37) + '\n' + ' '.repeat(64),
  '1 12 123 1234 12345 123456789 3.14159 1e-10 0x1F -42 1,000,000 ١٢٣٤ ௧௨௩௪ ½ ²³',
  'function add(a: number, b: number): number {\n  return a + b; // sum\n}\nconst x = [1, 2, 3].map((v) => v * 2);\n',
  'def f(x):\n    """Docstring."""\n    return {"a": [1, 2], \'b\': None}\n\nif __name__ == "__main__":\n    f(3)\n',
  '{"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}',
  '# Title\n\n## Section\n\n- item **bold** _it_ `code`\n1. one\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nx();\n```\n',
  '日本語のテキストです。中文文本，还有标点！한국어 텍스트입니다. Ελληνικά κείμενα. Русский текст. עברית. العربية.',
  'emoji: 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇺🇸 ❤️ ✨ — and “quotes” ‘single’ … • → ≠ ≤',
  'combining: e\u0301 a\u0308 n\u0303 \u0301\u0301 x\u20dd; titlecase ǅ ǈ; modifier ʰʲ; Kelvin K Ångström Å; ẞ ß İ ı Σσς',
  'zero width\u200b\u200c\u200dand nbsp\u00a0\u00a0and ideographic\u3000space and\u2028line\u2029para',
  'urls https://example.com/path?q=1&r=2#frag and paths /usr/local/bin/node C:\\Windows\\System32',
  'a'.repeat(1000),
  'ab'.repeat(500) + ' ' + 'Z'.repeat(300),
  '!!!???...,,,;;;:::---___===+++***&&&%%%$$$###@@@',
  '\n'.repeat(50) + '\r'.repeat(20) + '\t'.repeat(30),
  'x\ud800y \udc00 \ud83d lone surrogates \ude00',
  "don't'll've're'd'm's't 's 't 'S 'T 'Re 'rE 'LL 'lL",
  'MixedCASEWords and camelCaseIdentifiers and SCREAMING_SNAKE and PascalCase123abc',
];

for (const name of ENCODING_NAMES) {
  test(`${name}: fixed corpus equals tiktoken`, () => {
    for (const text of CORPUS) assertSameIds(name, text);
  });
  test(`${name}: generated 200 KB prompt equals tiktoken`, () => {
    assertSameIds(name, makePrompt(200_000, 7));
  });
  test(`${name}: random strings over a nasty alphabet equal tiktoken`, () => {
    const alphabet = [
      'a', 'Z', 'q', ' ', '  ', '\t', '\n', '\r', '\r\n', "'", 's', 'S', 'ſ', 't', 're', 'LL', 'd', 'm', 've',
      '\u0085', '\ufeff', '\u00a0', '\u3000', '\u2028', '\u200b', '1', '23', '٣', '½', 'é', 'e\u0301', '\u0301',
      '日本', '😀', '👍🏽', '\ud800', '\udc00', '<|endoftext|>', '/', '.', '!', '"', '{', 'K', 'ǅ', 'ʰ', 'ß', 'Σ', 'İ',
      '-', '_', '#', '中', 'ж', 'ק', 'ب', '\u0000', '\u007f', '\ufffd',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }), (parts) => {
        assertSameIds(name, parts.join(''));
      }),
      { numRuns: 600 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => assertSameIds(name, s)),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => assertSameIds(name, s)),
      { numRuns: 300 },
    );
  });
}

test('Unicode classes are tiktoken\'s (Unicode 16.0), not the runtime\'s: sampled code points in telling contexts', () => {
  // Each code point in contexts where its class decides the chunking: letter + contraction, digit runs, etc.
  const probes = (c: string) => [`${c}'s`, `a${c}'s`, `A${c}b's`, `1${c}234`, `${c}1234`, `x ${c}!!`, `${c}${c}'t`, `ab${c}Cd`, `\u0301${c}`, ` ${c}\n\n`, `x${c}  y`].join(' ');
  const picked: number[] = [];
  // Unicode 17.0 additions (letters, digits, marks that tiktoken treats as symbols) and 16.0 ones (letters to it).
  for (const c of [0x88f, 0x1acf, 0xa7ce, 0x10940, 0x10959, 0x11b60, 0x11db0, 0x11de0, 0x16ea0, 0x1e6c0, 0x2b73a, 0x323b0, 0x33479]) picked.push(c);
  for (const c of [0x10d4a, 0x10d50, 0x10d70, 0x105c0, 0x11bc0, 0x16d40, 0x1e5d0, 0x1ccf0, 0x2ebf0]) picked.push(c);
  for (let c = 0; c < 0x110000; c += 307) if (c < 0xd800 || c > 0xdfff) picked.push(c);
  for (const name of ['o200k_base', 'cl100k_base', 'r50k_base'] as const) {
    for (let i = 0; i < picked.length; i += 64) {
      const batch = picked.slice(i, i + 64).map((c) => probes(String.fromCodePoint(c))).join(' \n\n');
      assertSameIds(name, batch);
    }
  }
});

test('both ways of writing the Unicode classes (runtime property escapes, explicit ranges) give the same ids', () => {
  console.log(`# class mode on this runtime (Unicode ${process.versions.unicode}): ${defaultClassMode()}`);
  for (const name of ['o200k_base', 'cl100k_base', 'r50k_base'] as const) {
    const table = getBpeEncoder(name).table;
    const property = new BpeEncoder(name, table, {}, 'property');
    const explicit = new BpeEncoder(name, table, {}, 'explicit');
    const check = (s: string) => assert.deepEqual(Array.from(explicit.encode(s)), Array.from(property.encode(s)), JSON.stringify(s.slice(0, 100)));
    for (const text of CORPUS) check(text);
    check(makePrompt(50_000, 13));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), check), { numRuns: 500 });
    // Every 131st code point in the probing contexts, both ways (bench/tokenizer-unicode-scan.ts does all).
    const cps: string[] = [];
    for (let c = 0; c < 0x110000; c += 131) if (c < 0xd800 || c > 0xdfff) cps.push(String.fromCodePoint(c));
    for (let i = 0; i < cps.length; i += 512) {
      check(cps.slice(i, i + 512).map((c) => `${c}'s a${c}'s A${c}b 1${c}234 ${c}${c}'t \u0301${c} x${c}  y`).join(' \n'));
    }
  }
});

test('long unbroken runs: equal tiktoken at 5K-10K chars (o200k_base, cl100k_base)', () => {
  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    for (const unit of ['a', ' ', 'ab', '\n', ' \n', '😀', '1', '.']) {
      assertSameIds(name, unit.repeat(Math.floor(5000 / unit.length)));
    }
    assertSameIds(name, 'x' + ' '.repeat(10_000) + 'y');
  }
});

test('200,000-char runs of letters and spaces: fast, and the heap merge equals the quadratic merge', () => {
  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    const enc = getBpeEncoder(name);
    for (const unit of ['a', ' ']) {
      const text = unit.repeat(200_000);
      const t0 = performance.now();
      const ids = enc.encode(text);
      const ms = performance.now() - t0;
      // Timing is printed, not asserted (tests never fail on timing); tiktoken WASM takes ~35 s here.
      console.log(`# ${name} ${JSON.stringify(unit)} x 200000: ${ms.toFixed(0)} ms, ${ids.length} tokens`);
      assert.equal(enc.decode(ids), text);
    }
  }
});

test('heap merge equals the quadratic (tiktoken) merge on long and random pieces', () => {
  for (const name of ['o200k_base', 'cl100k_base', 'r50k_base'] as const) {
    const table = getBpeEncoder(name).table;
    const merger = new BytePairMerger(table);
    const te = new TextEncoder();
    const check = (s: string) => {
      const buf = te.encode(s);
      if (buf.length < 2) return;
      const a = new Uint32Array(buf.length), as = new Uint32Array(buf.length);
      const b = new Uint32Array(buf.length), bs = new Uint32Array(buf.length);
      const n = merger.mergeQuadratic(buf, buf.length, a, as);
      const m = merger.mergeHeap(buf, buf.length, b, bs);
      assert.equal(m, n, `count differs on ${JSON.stringify(s.slice(0, 80))}`);
      assert.deepEqual(Array.from(b.subarray(0, m)), Array.from(a.subarray(0, n)));
      assert.deepEqual(Array.from(bs.subarray(0, m)), Array.from(as.subarray(0, n)));
    };
    for (const unit of ['a', ' ', 'ab', 'abc', '\n', '😀', 'the', '0', 'é']) check(unit.repeat(Math.floor(3000 / unit.length)));
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'aa', 'ab', ' ', 'the', 'in', 'g', 'é', '😀', 'x'), { minLength: 1, maxLength: 120 }), (p) => check(p.join(''))),
      { numRuns: 400 },
    );
  }
});

test('tokenize().starts: UTF-16 offset of the char holding each token\'s first byte', () => {
  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    const enc = getBpeEncoder(name);
    const texts = [...CORPUS, makePrompt(20_000, 3)];
    for (const text of texts) {
      const { ids, starts } = enc.tokenize(text);
      assert.equal(starts.length, ids.length + 1);
      assert.equal(starts[ids.length], text.length);
      const expected = tokenStarts(text, ids, (id) => enc.tokenBytes(id).length);
      assert.deepEqual(Array.from(starts), Array.from(expected));
      // Twice: the second run is served from the piece cache.
      assert.deepEqual(Array.from(enc.tokenize(text).starts), Array.from(expected));
    }
  }
});

test('decode and tokenBytes round-trip; unknown ids are rejected clearly', () => {
  const enc = getEncoder('o200k_base');
  const text = makePrompt(5000, 11) + ' 😀 日本 \ufeff';
  assert.equal(enc.decode(enc.encode(text)), text);
  const bytes: number[] = [];
  for (const id of enc.encode('héllo 😀')) bytes.push(...enc.tokenBytes(id));
  assert.deepEqual(bytes, Array.from(new TextEncoder().encode('héllo 😀')));
  assert.equal(enc.decode([199999]), '<|endoftext|>');
  assert.throws(() => enc.tokenBytes(10_000_000), /no token with id/);
});
