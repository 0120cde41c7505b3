// A trie over the calls' rendered pieces: each call's request is a path; the deepest node an earlier call passed
// through is the longest prefix any earlier call shares (the "best earlier call", not only the previous one: a side
// request that forks from the shared system prompt does not hide the main line it left). Walking a path costs its
// length; pieces are interned to integers, so the trie holds no text.

export interface TrieNode {
  parent: TrieNode | null;
  piece: number;
  /** Pieces from the root. */
  depth: number;
  /** Tokens from the root to the end of this piece; -1 until asked for (tokensAt) when the path was added lazily. */
  tokens: number;
  children: Map<number, TrieNode> | undefined;
  /** The most recent call whose request passed through (or ended at) this node. */
  lastCall: number;
}

export class PrefixIndex {
  readonly root: TrieNode = { parent: null, piece: -1, depth: 0, tokens: 0, children: undefined, lastCall: -1 };
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }

  text(id: number): string {
    return this.texts[id];
  }

  /** The child for a piece, created when new. `existed` tells whether an earlier path had it. */
  step(node: TrieNode, piece: number, tokens: number): { node: TrieNode; existed: boolean } {
    let child = node.children?.get(piece);
    if (child) return { node: child, existed: true };
    child = { parent: node, piece, depth: node.depth + 1, tokens: node.tokens >= 0 && tokens >= 0 ? node.tokens + tokens : -1, children: undefined, lastCall: -1 };
    (node.children ??= new Map()).set(piece, child);
    return { node: child, existed: false };
  }

  /** Tokens up to a node, counting the pieces of a lazily added path once (memoized on the nodes). */
  tokensAt(node: TrieNode, count: (text: string) => number): number {
    const pending: TrieNode[] = [];
    let n: TrieNode | null = node;
    while (n && n.tokens < 0) {
      pending.push(n);
      n = n.parent;
    }
    let t = n ? n.tokens : 0;
    for (let i = pending.length - 1; i >= 0; i--) {
      t += count(this.texts[pending[i].piece]);
      pending[i].tokens = t;
    }
    return t;
  }

  /** Marks a call's whole path (root → end) as visited by it. */
  mark(end: TrieNode, call: number): void {
    for (let n: TrieNode | null = end; n; n = n.parent) n.lastCall = call;
  }

  /** The node of `from`'s path at `depth` (walked up from `from`). */
  static ancestorAt(from: TrieNode, depth: number): TrieNode | null {
    let n: TrieNode | null = from;
    while (n && n.depth > depth) n = n.parent;
    return n && n.depth === depth ? n : null;
  }
}
