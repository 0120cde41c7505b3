// Pre-tokenizer patterns with the semantics of tiktoken's Rust core (fancy-regex), written for JavaScript.
// The source patterns are the ones embedded in tiktoken 1.0.22's WASM build:
//   r50k/p50k: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   cl100k:    (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   o200k:     [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|...
// Differences from a naive JavaScript transcription, each one a real mismatch on some input:
// - Rust's `\s` is Unicode White_Space: it has U+0085 (NEL) and lacks U+FEFF (BOM); JavaScript's `\s` is the
//   reverse. So `\s`/`\S` are spelled out as an explicit class.
// - `(?i:'s)` uses simple case folding, under which U+017F (ſ) matches `s`. No other code point folds to one
//   of the letters in the contractions (checked over all code points), so the folded forms are listed.
// - JavaScript has no inline `(?i:...)` in Node 20, hence the explicit letter pairs.
// - `\p{L}`, `\p{N}`, `\p{Lu}`... follow the runtime's ICU in JavaScript (Unicode 17.0 in Node 20.20, older in
//   VS Code's Electron) but are Unicode 16.0 in tiktoken 1.0.22's Rust tables (an exhaustive probe of every code
//   point against the WASM build differs exactly on Unicode 17.0's additions). So on a Unicode 16/17 runtime
//   the classes are `\p{..}` minus those additions (`v` flag set subtraction); on any other runtime they are
//   explicit ranges (unicodeClasses.ts, generated). Both give the same ids; the explicit form is ~4x slower
//   to match because V8 stops optimizing regexes whose source exceeds 20 KB.
import type { BpeEncodingName as EncodingName } from '../ids';
import { LETTER, LOWERISH, NUMBER, UNICODE_17_ADDITIONS, UPPERISH } from './unicodeClasses';

/** Rust regex `\s`: the Unicode White_Space property. */
export const WHITE_SPACE = '\\t\\n\\v\\f\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const S = `[${WHITE_SPACE}]`;
const NOT_S = `[^${WHITE_SPACE}]`;

const CONTRACTION_CI = "'(?:[sS\\u017F]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])";
const CONTRACTION_CS = "'(?:s|t|re|ve|m|ll|d)";

/** How the Unicode classes are written: `\p{..}` minus Unicode 17.0 additions, or explicit ranges. */
export type ClassMode = 'property' | 'explicit';

interface Classes {
  L: string;
  N: string;
  UP: string; // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
  LOW: string; // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
  NOT_CRLF_L_N: string; // [^\r\n\p{L}\p{N}]
  NOT_S_L_N: string; // [^\s\p{L}\p{N}]
  CRLF_SLASH: string; // [\r\n/] ('/' must be escaped in a v-mode class)
}

function classes(mode: ClassMode): Classes {
  if (mode === 'property') {
    const minus = `--[${UNICODE_17_ADDITIONS}]`;
    const L = `[\\p{L}${minus}]`;
    const N = `[\\p{N}${minus}]`;
    return {
      L,
      N,
      UP: `[[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]${minus}]`,
      LOW: `[[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]${minus}]`,
      NOT_CRLF_L_N: `[^\\r\\n${L}${N}]`,
      NOT_S_L_N: `[^${WHITE_SPACE}${L}${N}]`,
      CRLF_SLASH: '[\\r\\n\\/]',
    };
  }
  return {
    L: `[${LETTER}]`,
    N: `[${NUMBER}]`,
    UP: `[${UPPERISH}]`,
    LOW: `[${LOWERISH}]`,
    NOT_CRLF_L_N: `[^\\r\\n${LETTER}${NUMBER}]`,
    NOT_S_L_N: `[^${WHITE_SPACE}${LETTER}${NUMBER}]`,
    CRLF_SLASH: '[\\r\\n/]',
  };
}

export function patternSource(name: EncodingName, mode: ClassMode = defaultClassMode()): string {
  const { L, N, UP, LOW, NOT_CRLF_L_N, NOT_S_L_N, CRLF_SLASH } = classes(mode);
  switch (name) {
    case 'o200k_base':
      return [
        `${NOT_CRLF_L_N}?${UP}*${LOW}+(?:${CONTRACTION_CI})?`,
        `${NOT_CRLF_L_N}?${UP}+${LOW}*(?:${CONTRACTION_CI})?`,
        `${N}{1,3}`,
        ` ?${NOT_S_L_N}+${CRLF_SLASH}*`,
        `${S}*[\\r\\n]+`,
        `${S}+(?!${NOT_S})`,
        `${S}+`,
      ].join('|');
    case 'cl100k_base':
      return [
        CONTRACTION_CI,
        `${NOT_CRLF_L_N}?${L}+`,
        `${N}{1,3}`,
        ` ?${NOT_S_L_N}+[\\r\\n]*`,
        `${S}*[\\r\\n]+`,
        `${S}+(?!${NOT_S})`,
        `${S}+`,
      ].join('|');
    case 'p50k_base':
    case 'r50k_base':
      return [CONTRACTION_CS, ` ?${L}+`, ` ?${N}+`, ` ?${NOT_S_L_N}+`, `${S}+(?!${NOT_S})`, `${S}+`].join('|');
  }
}

let detectedMode: ClassMode | undefined;
/** 'property' where the runtime's Unicode is 16.0 or 17.0 and it has the `v` flag; 'explicit' elsewhere. */
export function defaultClassMode(): ClassMode {
  if (!detectedMode) {
    const unicode = typeof process === 'object' ? process.versions?.unicode : undefined;
    let vFlag = false;
    try {
      vFlag = new RegExp('[\\p{L}--[a]]', 'v').test('b');
    } catch {
      // no `v` flag (older engines)
    }
    detectedMode = vFlag && (unicode === '16.0' || unicode === '17.0') ? 'property' : 'explicit';
  }
  return detectedMode;
}

/**
 * A sticky regex matching one pre-token at `lastIndex`. Sticky rather than global: every position starts a
 * match under these patterns, so a failed sticky match would be a bug, never a silent skip.
 */
export function preTokenizer(name: EncodingName, mode: ClassMode = defaultClassMode()): RegExp {
  return new RegExp(patternSource(name, mode), mode === 'property' ? 'vy' : 'uy');
}

/** True for the code units that Rust's `\s` matches (all White_Space code points are in the BMP). */
export function isWhiteSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}
