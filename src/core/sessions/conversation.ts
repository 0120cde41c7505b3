// Building conversations as persistent lists (ConversationNode), so each call points at its history in O(1).
import type { ConversationNode, ConversationPiece } from './types';

/** Appends blocks to a history. Only their JSON is kept (not the parsed values): a long session holds its text once. */
export function appendPieces(tail: ConversationNode | null, role: string, values: readonly unknown[]): ConversationNode | null {
  let t = tail;
  for (const value of values) {
    const type = value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string' ? ((value as { type: string }).type) : undefined;
    const piece: ConversationPiece = { role, json: JSON.stringify(value) ?? 'null' };
    if (type) piece.type = type;
    t = { piece, prev: t, depth: (t?.depth ?? 0) + 1 };
  }
  return t;
}

export function pieceValue(piece: ConversationPiece): unknown {
  return JSON.parse(piece.json);
}

/** Content as Anthropic blocks: a string becomes one text block (Claude Code writes both shapes). */
export function contentBlocks(content: unknown): unknown[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (Array.isArray(content)) return content;
  return [];
}

/** The pieces of a history, oldest first (on demand only: O(history)). */
export function piecesOf(tail: ConversationNode | null): ConversationNode[] {
  const out: ConversationNode[] = [];
  for (let n = tail; n; n = n.prev) out.push(n);
  return out.reverse();
}
