// Requests as the core renders them (src/core/formats/json.ts), split into the pieces its chat-template boundaries
// define, with each distinct piece tokenized once for the whole session (a conversation's messages are not
// re-tokenized on every call). Full request bodies go through extractPrompt as they are. Conversation-only logs
// (Claude Code, Codex, Gemini CLI) are composed from per-block JSON and separators taken from json.ts's own rendering of
// a skeleton request, so the composed text equals what extractPrompt renders for the same body (tested), without
// re-rendering a growing history on every call.
import type { Encoder, TokenizedText } from '../encodings';
import { extractPrompt } from '../formats';
import type { ExtractedPrompt } from '../types';
import { pieceValue, piecesOf } from './conversation';
import type { ConversationNode } from './types';

/** Token counts of distinct piece texts, computed once per session. */
export class PieceTokens {
  private readonly counts = new Map<string, number>();
  private recent: { text: string; t: TokenizedText }[] = [];
  constructor(readonly encoder: Encoder) {}

  count(text: string): number {
    let n = this.counts.get(text);
    if (n === undefined) {
      n = text.length === 0 ? 0 : this.encoder.encode(text).length;
      this.counts.set(text, n);
    }
    return n;
  }

  /** Ids and offsets of one piece (for the few pieces where a divergence falls); a short memo, not a cache of all. */
  tokenize(text: string): TokenizedText {
    const hit = this.recent.find((r) => r.text === text);
    if (hit) return hit.t;
    const t = this.encoder.tokenize(text);
    this.recent.unshift({ text, t });
    if (this.recent.length > 8) this.recent.pop();
    return t;
  }

  get distinctPieces(): number {
    return this.counts.size;
  }
}

/** A full request rendered by json.ts, cut where its chat template puts special tokens (as tokenizePieces cuts). */
export interface RenderedRequest {
  prompt: ExtractedPrompt;
  /** Piece boundaries in the rendered text: [0, cut1, …, text.length]. */
  bounds: number[];
}

export function renderRequest(text: string): RenderedRequest {
  const prompt = extractPrompt(text, 'request.json');
  const len = prompt.text.length;
  const cuts = [...new Set((prompt.hardBoundaries ?? []).filter((b) => b > 0 && b < len))].sort((a, b) => a - b);
  return { prompt, bounds: [0, ...cuts, len] };
}

const cacheControlFree = (k: string, v: unknown) => (k === 'cache_control' ? undefined : v);

/**
 * Separators between content blocks in json.ts's rendering of `{"messages": [...]}`: taken from its rendering of a
 * two-message skeleton (Anthropic flavour, which also drops `cache_control` like the real rendering).
 */
export class MessagesLayout {
  private readonly prefixByRole = new Map<string, string>();
  private readonly switchByRole = new Map<string, string>();
  private sameRole = ',';
  private suffixText = ']}]\n';

  private skeleton(a: string, b: string): void {
    const body = JSON.stringify({ anthropic_version: '', messages: [{ role: a, content: [{}] }, { role: b, content: [{}, {}] }] });
    const p = extractPrompt(body, 'request.json');
    const seg = (name: string) => p.segments.find((s) => s.name === name);
    const a0 = seg('messages[0].content[0]');
    const b0 = seg('messages[1].content[0]');
    const b1 = seg('messages[1].content[1]');
    if (!a0 || !b0 || !b1) throw new Error('json.ts rendering changed: no content-block segments in a messages skeleton');
    this.prefixByRole.set(a, p.text.slice(0, a0.start));
    this.switchByRole.set(b, p.text.slice(a0.end, b0.start));
    this.sameRole = p.text.slice(b0.end, b1.start);
    this.suffixText = p.text.slice(b1.end);
  }

  prefix(role: string): string {
    if (!this.prefixByRole.has(role)) this.skeleton(role, role === 'user' ? 'assistant' : 'user');
    return this.prefixByRole.get(role)!;
  }

  /** Text between the previous block and this one. */
  separator(prevRole: string, role: string): string {
    if (prevRole === role) {
      if (!this.prefixByRole.size) this.skeleton('user', 'assistant');
      return this.sameRole;
    }
    if (!this.switchByRole.has(role)) this.skeleton(prevRole, role);
    return this.switchByRole.get(role)!;
  }

  suffix(): string {
    if (!this.prefixByRole.size) this.skeleton('user', 'assistant');
    return this.suffixText;
  }

  /** Text of one block as json.ts renders it (compact JSON, key order kept, `cache_control` dropped). */
  static blockText(json: string): string {
    return json.includes('"cache_control"') ? JSON.stringify(JSON.parse(json), cacheControlFree) ?? 'null' : json;
  }

  /** The separator before a node (prefix for the first block). */
  before(node: ConversationNode): string {
    return node.prev ? this.separator(node.prev.piece.role, node.piece.role) : this.prefix(node.piece.role);
  }

  /** The whole rendered conversation (on demand only: request diffs). */
  text(tail: ConversationNode | null): string {
    if (!tail) return '';
    let out = '';
    for (const n of piecesOf(tail)) out += this.before(n) + MessagesLayout.blockText(n.piece.json);
    return out + this.suffix();
  }

  /** The request body the composed text renders from: consecutive blocks of one role form one message. */
  static body(tail: ConversationNode | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const messages: { role: string; content: unknown[] }[] = [];
    for (const n of piecesOf(tail)) {
      const last = messages[messages.length - 1];
      const value = pieceValue(n.piece);
      if (last && last.role === n.piece.role) last.content.push(value);
      else messages.push({ role: n.piece.role, content: [value] });
    }
    return { ...extra, messages };
  }
}

/** `messages[i].content[j]` of a node: message i counts role changes along the history (walked on demand). */
export function messageLabel(node: ConversationNode): { message: number; block: number; label: string } {
  let message = 0;
  let block = 0;
  let prev: ConversationNode | null = null;
  for (const n of piecesOf(node)) {
    if (prev) {
      if (prev.piece.role === n.piece.role) block++;
      else {
        message++;
        block = 0;
      }
    }
    prev = n;
  }
  return { message, block, label: `messages[${message}].content[${block}]` };
}

/**
 * A finer segment inside a block: the key of an object block whose value holds the offset, e.g. `.text` of
 * `messages[41].content[0]`. Offsets are in the block's compact JSON (what the rendering copies).
 */
export function refineSegment(base: string, value: unknown, offsetInBlock: number, dropCacheControl = true): string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return base;
  let pos = 1; // after "{"
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || (dropCacheControl && k === 'cache_control')) continue;
    const part = `${JSON.stringify(k)}:${JSON.stringify(v, dropCacheControl ? cacheControlFree : undefined)}`;
    if (offsetInBlock >= pos && offsetInBlock < pos + part.length) return `${base}.${k}`;
    pos += part.length + 1;
  }
  return base;
}
