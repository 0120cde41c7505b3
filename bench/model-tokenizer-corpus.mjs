// A varied corpus for checking model tokenizers (Qwen, DeepSeek, Llama 3, Gemma 3) against the Hugging Face
// reference: prompt-like prose/code/JSON, many scripts, emoji and ZWJ sequences, combining marks, whitespace runs,
// long digit runs, CRLF, a BOM, control characters, chat-template special-token text, and seeded random Unicode.
import { makePrompt, rng } from './tokenizer-corpus.mjs';

const FIXED = [
  '',
  ' ',
  'Hello world!',
  '  leading and trailing spaces  ',
  '\n\n\n\t\t  \r\n\r\n',
  'def f(x):\n\treturn x**2  # square\n\nclass A:\n    pass\n',
  '{"tools":[{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}',
  '你好，世界。这是一个测试。我们的缓存策略很重要！',
  'こんにちは世界、カタカナとひらがな。漢字も。',
  '안녕하세요 세계. 한국어 문장입니다.',
  'مرحبا بالعالم. هذا اختبار للنص العربي.',
  'नमस्ते दुनिया। यह एक परीक्षण है।',
  'Привет, мир! Ёжик в тумане.',
  'Γειά σου Κόσμε. ΑΒΓ αβγ.',
  'naïve café résumé coöperate Ångström ﬁ ﬂ ﬀ',
  'e\u0301 a\u0308 n\u0303 — combining marks; Z\u0351\u0352a\u0353l\u0354g\u0355o',
  '👋🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🤖💡🔥 ❤️ ☃ ✨',
  '1234567890 3.14159265358979 1,000,000 0xDEADBEEF 2026-11-30T12:34:56Z',
  '99999999999999999999999999999999999999999',
  '\uFEFFA file that starts with a byte order mark.',
  'tab\there, nul\u0000, bell\u0007, escape\u001b[31m red\u001b[0m',
  '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nhi<|im_end|>',
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>',
  '<start_of_turn>user\nhello<end_of_turn>\n<bos><eos>',
  "It's we're they'll I'd can't WON'T 'quoted' ’curly’",
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  ' '.repeat(300) + 'x' + '\n'.repeat(50),
  '    indented code\n        deeper\n\t\tmixed tabs\n',
  '## Heading\n\n- item one\n- item two\n\n> quote\n\n```ts\nconst x: number = 1;\n```\n',
  'https://example.com/path?query=1&b=2#frag user@example.com C:\\Windows\\path',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 𝒮𝒸𝓇𝒾𝓅𝓉 — astral plane letters 𠀀𠀁',
  'ſ long s, ß sharp s, İ dotted I, ı dotless i',
];

function randomUnicode(r, n) {
  const ranges = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff], [0x900, 0x97f], [0x3040, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0x1f300, 0x1faff], [0x2000, 0x206f], [0x300, 0x36f]];
  let s = '';
  for (let i = 0; i < n; i++) {
    if (r() < 0.15) { s += [' ', '\n', '  ', '\t', '. ', ', '][Math.floor(r() * 6)]; continue; }
    const [a, b] = ranges[Math.floor(r() * ranges.length)];
    s += String.fromCodePoint(a + Math.floor(r() * (b - a + 1)));
  }
  return s;
}

/** The corpus: fixed cases, prompt-like texts of several sizes, seeded random Unicode. */
export function modelTokenizerCorpus() {
  const r = rng(20261130);
  const out = [...FIXED];
  for (let i = 0; i < 6; i++) out.push(makePrompt(2000 + i * 1500, 100 + i));
  for (let i = 0; i < 24; i++) out.push(randomUnicode(r, 40 + Math.floor(r() * 400)));
  out.push(FIXED.join('\n'));
  return out;
}
