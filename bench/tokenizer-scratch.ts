import { patternSource } from '../src/core/tokenizer/patterns';
// @ts-expect-error mjs
import { makePrompt } from './tokenizer-corpus.mjs';
const s: string = makePrompt(200_000, 1);
function run(re: RegExp) { let p = 0; const t0 = performance.now(); while (p < s.length) { re.lastIndex = p; re.test(s); p = re.lastIndex; } return performance.now() - t0; }
for (const name of ['o200k_base', 'cl100k_base'] as const) {
  const v = new RegExp(patternSource(name, 'property'), 'vy');
  const plain = new RegExp(patternSource(name, 'property').replace(/--\[[^\]]*\]/g, ''), 'vy');
  const ex = new RegExp(patternSource(name, 'explicit'), 'uy');
  const r: Record<string, number[]> = { v: [], plainv: [], explicit: [] };
  for (let i = 0; i < 6; i++) { r.v.push(run(v)); r.plainv.push(run(plain)); r.explicit.push(run(ex)); }
  console.log(name, Object.entries(r).map(([k, x]) => k + ' ' + Math.min(...x).toFixed(1)).join(' | '));
}
