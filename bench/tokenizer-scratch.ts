import { LETTER } from '../src/core/tokenizer/unicodeClasses';
// @ts-expect-error mjs
import { makePrompt } from './tokenizer-corpus.mjs';
const s: string = makePrompt(200_000, 1);
function run(re: RegExp) { let p = 0; const t0 = performance.now(); while (p < s.length) { re.lastIndex = p; if (!re.test(s)) p++; else p = re.lastIndex; } return performance.now() - t0; }
const res: Record<string, RegExp> = {
  prop: new RegExp('\\p{L}+|[^\\p{L}]', 'uy'),
  explicit: new RegExp(`[${LETTER}]+|[^${LETTER}]`, 'uy'),
  vsub: new RegExp('[\\p{L}--[\\u{10940}-\\u{10959}\\u{323b0}-\\u{33479}\\u088f]]+|[^\\p{L}]', 'vy'),
};
for (const [k, re] of Object.entries(res)) { const t: number[] = []; for (let i = 0; i < 6; i++) t.push(run(re)); console.log(k, Math.min(...t).toFixed(1)); }
console.log(res.vsub.test('\u{10940}'), /\p{L}/u.test('\u{10940}'));
