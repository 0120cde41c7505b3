// Locates the first JSON syntax error. V8's JSON.parse messages do not always carry a position (and quote a
// snippet of the file), and the YAML parser used for source ranges accepts bare words and single quotes, so a
// malformed request body would be reported at the top or the end of the file. This scanner follows RFC 8259
// and stops at the first offset where the grammar fails. It is iterative (no recursion), so deep nesting is fine.

export interface JsonSyntaxError {
  /** Offset (UTF-16 units, relative to the scanned text) where the grammar fails; text.length at end of input. */
  offset: number;
  /** One line, naming at most the offending character (never a snippet of the file). */
  message: string;
}

const enum Ch {
  Tab = 0x09,
  Lf = 0x0a,
  Cr = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Apostrophe = 0x27,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Slash = 0x2f,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

const VALUE_KINDS = 'an object, array, "string", number, true, false or null';

/** The first syntax error in `text` read as one JSON value (whitespace around it allowed), or null when valid. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const n = text.length;
  let i = 0;
  /** Open containers, innermost last: OpenBrace or OpenBracket. */
  const open: number[] = [];

  const skipWs = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== Ch.Space && c !== Ch.Tab && c !== Ch.Lf && c !== Ch.Cr) break;
    }
  };
  const fail = (offset: number, expected: string): JsonSyntaxError => {
    if (offset >= n) return { offset: n, message: `unexpected end of input (expected ${expected})` };
    const c = text.charCodeAt(offset);
    if (c === Ch.Slash) return { offset, message: 'comments are not allowed in JSON' };
    return { offset, message: `unexpected ${describeChar(text, offset)} (expected ${expected})` };
  };

  /** A string starting at i (a quote); leaves i after the closing quote. */
  const scanString = (): JsonSyntaxError | null => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === Ch.Quote) {
        i++;
        return null;
      }
      if (c === Ch.Backslash) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75 /* u */) {
          for (let k = 2; k < 6; k++) {
            if (!isHex(text.charCodeAt(i + k))) return i + k >= n ? fail(n, 'a closing quote') : { offset: i + k, message: 'invalid \\u escape in a string (expected 4 hex digits)' };
          }
          i += 6;
          continue;
        }
        if (i + 1 >= n) return fail(n, 'a closing quote');
        if (!'"\\/bfnrt'.includes(text[i + 1])) return { offset: i + 1, message: `invalid escape in a string (a backslash before ${describeChar(text, i + 1)}); valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX` };
        i += 2;
        continue;
      }
      if (c < 0x20) return { offset: i, message: `${describeChar(text, i)} inside a string (line breaks and tabs must be escaped)` };
      i++;
    }
    return fail(n, 'a closing quote');
  };

  const scanDigits = (): boolean => {
    const start = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    return i > start;
  };

  /** A number starting at i (a minus or a digit). */
  const scanNumber = (): JsonSyntaxError | null => {
    if (text.charCodeAt(i) === Ch.Minus) i++;
    if (text.charCodeAt(i) === Ch.Zero) i++;
    else if (!scanDigits()) return fail(i, 'a digit');
    if (text.charCodeAt(i) === Ch.Dot) {
      i++;
      if (!scanDigits()) return fail(i, 'a digit after the decimal point');
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === Ch.Plus || s === Ch.Minus) i++;
      if (!scanDigits()) return fail(i, 'a digit in the exponent');
    }
    return null;
  };

  /** A property name and its colon, at i (after `{` or `,` and whitespace). */
  const scanKey = (): JsonSyntaxError | null => {
    if (text.charCodeAt(i) !== Ch.Quote) return fail(i, 'a property name in double quotes');
    const err = scanString();
    if (err) return err;
    skipWs();
    if (text.charCodeAt(i) !== Ch.Colon) return fail(i, "':' after the property name");
    i++;
    return null;
  };

  let expectValue = true;
  for (;;) {
    skipWs();
    if (expectValue) {
      if (i >= n) return fail(n, 'a value');
      const c = text.charCodeAt(i);
      if (c === Ch.OpenBrace || c === Ch.OpenBracket) {
        i++;
        skipWs();
        if (text.charCodeAt(i) === (c === Ch.OpenBrace ? Ch.CloseBrace : Ch.CloseBracket)) {
          i++;
          expectValue = false;
          continue;
        }
        open.push(c);
        if (c === Ch.OpenBrace) {
          const err = scanKey();
          if (err) return err;
        }
        continue;
      }
      let err: JsonSyntaxError | null = null;
      if (c === Ch.Quote) err = scanString();
      else if (c === Ch.Minus || isDigit(c)) err = scanNumber();
      else if (c === 0x74 /* t */ || c === 0x66 /* f */ || c === 0x6e /* n */) err = scanLiteral(c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null');
      else if (c === Ch.Apostrophe) return { offset: i, message: 'strings need double quotes, not single quotes' };
      else return fail(i, VALUE_KINDS);
      if (err) return err;
      expectValue = false;
      continue;
    }
    // After a value: the end of the input, or a comma or the closing bracket of the innermost container.
    const top = open[open.length - 1];
    if (top === undefined) return i < n ? fail(i, 'the end of the input after the JSON value') : null;
    const c = text.charCodeAt(i);
    const close = top === Ch.OpenBrace ? Ch.CloseBrace : Ch.CloseBracket;
    if (c === close) {
      open.pop();
      i++;
      continue;
    }
    if (c !== Ch.Comma) return fail(i, top === Ch.OpenBrace ? "',' or '}' after a property value" : "',' or ']' after an array element");
    i++;
    skipWs();
    if (text.charCodeAt(i) === close) return { offset: i, message: `a trailing comma before '${String.fromCharCode(close)}' is not allowed in JSON` };
    if (top === Ch.OpenBrace) {
      const err = scanKey();
      if (err) return err;
    }
    expectValue = true;
  }

  function scanLiteral(word: string): JsonSyntaxError | null {
    for (let k = 0; k < word.length; k++, i++) {
      if (text[i] !== word[k]) {
        return i >= n ? fail(n, `"${word}"`) : { offset: i, message: `not a JSON value (literals are true, false and null; strings need double quotes)` };
      }
    }
    return null;
  }
}

function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** A character for a message: quoted when visible, as U+XXXX when it is a control, space-like or invisible. */
function describeChar(text: string, offset: number): string {
  const cp = text.codePointAt(offset) ?? 0;
  const ch = String.fromCodePoint(cp);
  if (cp < 0x21 || (cp >= 0x7f && cp <= 0xa0) || cp === 0xad || /[\s\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ufff9-\ufffb]/u.test(ch) || (cp >= 0xd800 && cp <= 0xdfff)) {
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return ch === "'" ? `"'"` : `'${ch}'`;
}
