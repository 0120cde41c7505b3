import { getEncoder } from '../src/core/encodings';
import { get_encoding } from 'tiktoken';
const probes = (c: string) => [`${c}'s`, `a${c}'s`, `A${c}b's`, `1${c}234`, `${c}1234`, `x ${c}!!`, `${c}${c}'t`, `ab${c}Cd`, `\u0301${c}`, ` ${c}\n\n`, `x${c}  y`].join(' ');
for (const name of ['o200k_base', 'cl100k_base'] as const) {
  const e = getEncoder(name); const tk = get_encoding(name);
  const eq = (s: string) => { const a = e.encode(s); const b = tk.encode(s, [], []); return a.length === b.length && a.every((x, i) => x === b[i]); };
  const bad: number[] = [];
  const all: number[] = [];
  for (let c = 0; c < 0x110000; c++) if (c < 0xd800 || c > 0xdfff) all.push(c);
  for (let i = 0; i < all.length; i += 64) {
    const batch = all.slice(i, i + 64);
    if (eq(batch.map((c) => probes(String.fromCodePoint(c))).join(' \n\n'))) continue;
    for (const c of batch) if (!eq(probes(String.fromCodePoint(c)))) bad.push(c);
  }
  console.log(name, 'mismatching code points over all of Unicode:', bad.length, bad.slice(0, 30).map((c) => c.toString(16)).join(' '));
}
