import { getEncoder } from '../src/core/encodings';
import { get_encoding } from 'tiktoken';
const probes = (c: string) => [`${c}'s`, `a${c}'s`, `A${c}b's`, `1${c}234`, `${c}1234`, `x ${c}!!`, `${c}${c}'t`, `ab${c}Cd`, `\u0301${c}`, ` ${c}\n\n`, `x${c}  y`].join(' ');
for (const name of ['o200k_base', 'cl100k_base'] as const) {
  const e = getEncoder(name); const tk = get_encoding(name);
  const eq = (s: string) => { const a = e.encode(s); const b = tk.encode(s, [], []); return a.length === b.length && a.every((x, i) => x === b[i]); };
  const bad: number[] = [];
  const B = 64;
  const all: number[] = [];
  for (let c = 0; c < 0x110000; c++) if (c < 0xd800 || c > 0xdfff) all.push(c);
  for (let i = 0; i < all.length; i += B) {
    const batch = all.slice(i, i + B);
    if (eq(batch.map((c) => probes(String.fromCodePoint(c))).join(' \n\n'))) continue;
    for (const c of batch) if (!eq(probes(String.fromCodePoint(c)))) bad.push(c);
  }
  const ranges: string[] = []; let s = -1, p = -2;
  for (const c of bad) { if (c !== p + 1) { if (s >= 0) ranges.push(s.toString(16) + '-' + p.toString(16)); s = c; } p = c; }
  if (s >= 0) ranges.push(s.toString(16) + '-' + p.toString(16));
  console.log(name, bad.length, ranges.join(' '));
  const cats = new Map<string, number>();
  for (const c of bad) { const ch = String.fromCodePoint(c); const k = ['Lu','Ll','Lt','Lm','Lo','Mn','Mc','Me','Nd','Nl','No'].find((g) => new RegExp(`\\p{${g}}`, 'u').test(ch)) ?? 'other'; cats.set(k, (cats.get(k) ?? 0) + 1); }
  console.log([...cats]);
}
