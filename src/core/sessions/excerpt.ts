// A call's request diff cut down to what a person reads: the text of both requests around the first divergent token,
// that token on each side, the segment it falls in, and the line of the prompt author's own text it sits on (the JSON
// string unescaped), so the editor can look for that line in the workspace's prompt files. Pure; the session worker
// computes it from requestDiff's full audit and sends only this (a request can be megabytes).
import type { AuditDetails } from '../audit';
import { segmentAt } from '../audit';
import type { ExtractedPrompt } from '../types';

export interface DiffSide {
  /** Index of the call in the session. */
  call: number;
  /** Text of the window before the divergent token (the part both requests share). */
  before: string;
  /** The divergent token on this side ('' when this request ends there). */
  token: string;
  /** Text of the window after the token. */
  after: string;
  /** The window starts after the request's start / ends before its end. */
  cutBefore: boolean;
  cutAfter: boolean;
  /** Tokens of the whole rendered request. */
  tokens: number;
}

export interface RequestDiffExcerpt {
  callIndex: number;
  againstCall: number;
  /** `diverges`: a token differs; `extends`: the request continues the earlier one unchanged; `identical`. */
  state: 'diverges' | 'extends' | 'identical';
  firstDivergentToken: number | null;
  /** Where the requests first differ, e.g. `messages[41].content[0].text`; null when nothing differs. */
  segment: string | null;
  old: DiffSide;
  new: DiffSide;
  encoding: string;
  /** The line of text (a JSON string's value, unescaped) the divergence sits in, per side, when it is in one. */
  divergentLine?: { old?: string; new?: string };
}

const WINDOW_BEFORE = 360;
const WINDOW_AFTER = 360;
const CLOSING = /^[\s\]}]*$/;

function side(prompt: ExtractedPrompt, starts: Uint32Array, ids: number, k: number | null, call: number): DiffSide {
  const text = prompt.text;
  if (k === null || k >= ids) {
    const from = Math.max(0, text.length - WINDOW_BEFORE);
    return { call, before: text.slice(from), token: '', after: '', cutBefore: from > 0, cutAfter: false, tokens: ids };
  }
  const s = starts[k];
  const e = starts[k + 1];
  const from = Math.max(0, s - WINDOW_BEFORE);
  const to = Math.min(text.length, e + WINDOW_AFTER);
  return { call, before: text.slice(from, s), token: text.slice(s, e), after: text.slice(e, to), cutBefore: from > 0, cutAfter: to < text.length, tokens: ids };
}

/**
 * The line of the author's text at a rendered offset: inside the smallest segment that is a JSON string literal, the
 * value is unescaped and the line holding the offset returned (null when the offset is not inside a string).
 */
export function lineAtOffset(prompt: ExtractedPrompt, offset: number): string | null {
  const lit = stringLiteralAt(prompt, offset);
  if (!lit) return null;
  const raw = prompt.text.slice(lit.start, lit.end);
  let value: string;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'string') return null;
    value = v;
  } catch {
    return null;
  }
  // The unescaped length of the literal up to the offset (backing off an escape sequence cut in the middle).
  let at = 0;
  for (let cut = offset; cut > lit.start && cut >= offset - 6; cut--) {
    try {
      at = (JSON.parse(`${prompt.text.slice(lit.start, cut)}"`) as string).length;
      break;
    } catch {
      // inside an escape: one character earlier
    }
  }
  const lineStart = value.lastIndexOf('\n', at - 1) + 1;
  const nl = value.indexOf('\n', at);
  const line = value.slice(lineStart, nl < 0 ? value.length : nl);
  return line.trim() ? line : null;
}

/** The JSON string literal (quotes included) holding a rendered offset: scanned from the smallest segment around it. */
function stringLiteralAt(prompt: ExtractedPrompt, offset: number): { start: number; end: number } | null {
  const text = prompt.text;
  let from = 0;
  let best = Infinity;
  for (const s of prompt.segments) {
    if (offset >= s.start && offset < s.end && s.end - s.start < best) {
      best = s.end - s.start;
      from = s.start;
    }
  }
  for (let i = from; i < text.length && i <= offset; i++) {
    if (text[i] !== '"') continue;
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (offset > i && offset <= j) return { start: i, end: j + 1 };
    i = j;
  }
  return null;
}

/**
 * `knownSegment`: the segment the session audit found (it refines a conversation's block to `.text`); the full audit's
 * own is used otherwise.
 */
export function diffExcerpt(details: AuditDetails, callIndex: number, againstCall: number, knownSegment?: string | null): RequestDiffExcerpt {
  const t = details.tokens;
  const k = t.firstDivergentToken;
  const oldN = t.old.ids.length;
  const newN = t.new.ids.length;
  // A growing conversation differs from the earlier request only in its closing brackets: that is an extension.
  const onlyClosing = k !== null && t.renderedOffset !== null && CLOSING.test(details.old.text.slice(t.renderedOffset.old));
  const state: RequestDiffExcerpt['state'] = k === null ? 'identical' : k >= oldN || onlyClosing ? 'extends' : 'diverges';
  const out: RequestDiffExcerpt = {
    callIndex,
    againstCall,
    state,
    firstDivergentToken: k,
    segment: null,
    old: side(details.old, t.old.starts, oldN, state === 'diverges' ? k : null, againstCall),
    new: side(details.new, t.new.starts, newN, state === 'identical' ? null : k, callIndex),
    encoding: details.result.encoding,
  };
  if (state === 'extends' && k !== null) {
    // What the earlier request ends with, then where this one goes on.
    const s = t.new.starts[k];
    const from = Math.max(0, s - WINDOW_BEFORE);
    out.new = { ...out.new, before: details.new.text.slice(from, s), cutBefore: from > 0 };
  }
  if (state === 'diverges' && t.renderedOffset) {
    out.segment = knownSegment ?? details.result.divergence?.segment ?? segmentAt(details.new, t.renderedOffset.new) ?? segmentAt(details.old, t.renderedOffset.old) ?? null;
    const lo = lineAtOffset(details.old, t.renderedOffset.old);
    const ln = lineAtOffset(details.new, t.renderedOffset.new);
    if (lo || ln) out.divergentLine = { ...(lo ? { old: lo } : {}), ...(ln ? { new: ln } : {}) };
  }
  return out;
}
