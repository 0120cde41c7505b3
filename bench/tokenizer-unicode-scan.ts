// Exhaustive check of the pre-tokenizer's Unicode classes against tiktoken's Rust core (WASM): every code point,
// in contexts where its class decides the chunking (letter + contraction, digit runs, whitespace, marks), in
// both class modes. Found that tiktoken 1.0.22 uses Unicode 16.0 tables (the only differences from Node 20.20's
// Unicode 17.0 `\p{..}` were 17.0's 4,699 new letters, marks and digits). Takes a few CPU-minutes, so it is a
// tool, not a unit test (the unit tests sample every 307th code point). Run: npx tsx bench/tokenizer-unicode-scan.ts
import { get_encoding } from 'tiktoken';
import { getBpeEncoder } from '../src/core/encodings';
import { BpeEncoder } from '../src/core/tokenizer/encoder';

const probes = (c: string) =>
  [`${c}'s`, `a${c}'s`, `A${c}b's`, `1${c}234`, `${c}1234`, `x ${c}!!`, `${c}${c}'t`, `ab${c}Cd`, `\u0301${c}`, ` ${c}\n\n`, `x${c}  y`].join(' ');
const all: number[] = [];
for (let c = 0; c < 0x110000; c++) if (c < 0xd800 || c > 0xdfff) all.push(c);

for (const name of ['o200k_base', 'cl100k_base'] as const) {
  const tk = get_encoding(name);
  for (const mode of ['property', 'explicit'] as const) {
    const enc = new BpeEncoder(name, getBpeEncoder(name).table, {}, mode);
    const eq = (s: string) => {
      const a = enc.encode(s);
      const b = tk.encode(s, [], []);
      return a.length === b.length && a.every((x, i) => x === b[i]);
    };
    const bad: number[] = [];
    for (let i = 0; i < all.length; i += 64) {
      const batch = all.slice(i, i + 64);
      if (eq(batch.map((c) => probes(String.fromCodePoint(c))).join(' \n\n'))) continue;
      for (const c of batch) if (!eq(probes(String.fromCodePoint(c)))) bad.push(c);
    }
    console.log(`${name} (${mode} classes): ${bad.length} code points differ from tiktoken`, bad.slice(0, 20).map((c) => c.toString(16)).join(' '));
  }
}
