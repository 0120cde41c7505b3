// Model tokenizers benchmark (`npm run bench:model-tokenizers`): our Encoder for Qwen3, DeepSeek-V3, Llama 3 and
// Gemma 3 (src/core/tokenizer/hf.ts, from dist/tokenizer.js) against the same library called directly
// (@huggingface/tokenizers), against @lenml/tokenizers and against the Rust reference (`tokenizers`, napi), all timed
// in this run on the same texts. Prints medians and ratios; never fails on timing. Also re-checks exactness.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelTokenizerCorpus } from './model-tokenizer-corpus.mjs';
import { makePrompt } from './tokenizer-corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const bundle = path.join(root, 'dist', 'tokenizer.js');
if (!existsSync(bundle)) throw new Error('dist/tokenizer.js is missing: run npm run build');
const ours = require(bundle);
const hf = require('@huggingface/tokenizers');
const { TokenizerLoader } = require('@lenml/tokenizers');
const { Tokenizer: Rust } = require('tokenizers');
const quick = process.argv.includes('--quick');
const reps = quick ? 3 : 7;

const PACKAGES = { qwen3: 'qwen3', 'deepseek-v3': 'deepseek_v3', llama3: 'llama3', gemma3: 'gemma3' };
const text100k = makePrompt(100_000, 7);
const corpus = modelTokenizerCorpus();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
async function time(f) {
  await f(); // warm
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return median(t);
}
const ms = (x) => `${x.toFixed(1)} ms`;

console.log(`model tokenizers: 100 KB prompt-like text and a ${corpus.length}-text varied corpus, median of ${reps}`);
for (const [name, pkg] of Object.entries(PACKAGES)) {
  const dir = path.join(root, 'node_modules', `@lenml/tokenizer-${pkg}`, 'models');
  const json = JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
  const cfg = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
  let t0 = performance.now();
  const enc = ours.getEncoder(name);
  const loadOurs = performance.now() - t0;
  t0 = performance.now();
  const lib = new hf.Tokenizer(json, cfg);
  const loadLib = performance.now() - t0;
  const lenml = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: cfg });
  const rust = Rust.fromFile(path.join(dir, 'tokenizer.json'));

  const oursEncode = await time(() => enc.encode(text100k));
  const oursTokenize = await time(() => enc.tokenize(text100k));
  const libEncode = await time(() => lib.encode(text100k, { add_special_tokens: false }));
  const lenmlEncode = await time(() => lenml.encode(text100k, { add_special_tokens: false }));
  const rustEncode = await time(() => rust.encode(text100k, null, { addSpecialTokens: false }));
  const corpusOurs = await time(() => corpus.forEach((s) => enc.encode(s)));
  const corpusLib = await time(() => corpus.forEach((s) => lib.encode(s, { add_special_tokens: false })));

  let mismatches = 0;
  for (const s of corpus) {
    const want = Array.from((await rust.encode(s, null, { addSpecialTokens: false })).getIds());
    if (JSON.stringify(Array.from(enc.encode(s))) !== JSON.stringify(want)) mismatches++;
  }
  const tokens = enc.encode(text100k).length;
  console.log(
    `${name.padEnd(12)} load ${ms(loadOurs)} (library alone ${ms(loadLib)}) | 100 KB (${tokens} tokens): ours encode ${ms(oursEncode)} = ${(oursEncode / libEncode).toFixed(2)}× the library, ` +
      `tokenize+starts ${ms(oursTokenize)} = ${(oursTokenize / libEncode).toFixed(2)}×; @lenml ${(lenmlEncode / libEncode).toFixed(2)}×; Rust reference ${(rustEncode / libEncode).toFixed(2)}× | ` +
      `corpus ours ${(corpusOurs / corpusLib).toFixed(2)}× the library | exact vs reference: ${corpus.length - mismatches}/${corpus.length}`,
  );
}
