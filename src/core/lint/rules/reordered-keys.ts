// reordered-keys: JSON keys or named tools serialised in another order than in the previous version.
import { isMap, isScalar, isSeq, type Pair } from 'yaml';
import { parseJsonWithRanges } from '../../formats/json';
import type { LintHelper, LintRule } from '../helper';
import type { LintFinding, TextEdit } from '../../types';

export const rule: LintRule = {
  id: 'reordered-keys',
  title: 'JSON keys or tools in a different order',
  defaultSeverity: 'warning',
  explanation:
    'Key order is part of the bytes the provider sees: tools or keys serialised in another order (map iteration, async tool discovery, json.dumps without sort_keys) are a cache miss from the first moved key. The fix restores the previous order.',
  details:
    'Objects are compared key by key at the same path; arrays of named items (tools, functions) are matched by name, so a moved tool is reported once and its own keys are compared with the same tool. The fix rewrites only the moved members, keeping the file\'s separators and indentation.',
  evidence: 'The order in the previous version.',
  check(h) {
    const { prompt, previous, source } = h.ctx;
    if (!previous || !prompt.format.startsWith('json') || !previous.prompt.format.startsWith('json')) return [];
    const cur = parseJsonWithRanges(source).doc;
    const old = parseJsonWithRanges(previous.source).doc;
    if (!cur || !old) return [];
    const out: LintFinding[] = [];
    walkPair(h, old.contents, cur.contents, '', out);
    return out;
  },
};

function keyOf(p: Pair): string {
  return isScalar(p.key) ? String(p.key.value) : String(p.key);
}

function rangeOf(n: unknown): [number, number] {
  const r = (n as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

function toolName(n: unknown): string | undefined {
  if (!isMap(n)) return undefined;
  const direct = n.get('name');
  if (typeof direct === 'string') return direct;
  const fn = n.get('function');
  if (isMap(fn)) {
    const nm = fn.get('name');
    if (typeof nm === 'string') return nm;
  }
  return undefined;
}

function movedFinding(h: LintHelper, at: number, end: number, message: string, was: string[], fix: LintFinding['fix'] | undefined): LintFinding {
  return {
    ruleId: 'reordered-keys',
    severity: 'warning',
    message,
    range: h.range(at, end),
    tokensAtRisk: h.atRiskFromSource(at),
    ...(fix ? { fix } : {}),
    evidence: { kind: 'previous-version', summary: `The previous version's order: ${was.join(', ')}.` },
  };
}

function walkPair(h: LintHelper, a: unknown, b: unknown, path: string, out: LintFinding[]): void {
  const src = h.ctx.source;
  if (isMap(a) && isMap(b)) {
    const ak = a.items.map(keyOf);
    const bk = b.items.map(keyOf);
    const common = new Set(ak.filter((k) => bk.includes(k)));
    const aOrder = ak.filter((k) => common.has(k));
    const bOrder = bk.filter((k) => common.has(k));
    const moved = bOrder.findIndex((k, i) => k !== aOrder[i]);
    if (moved >= 0) {
      const pair = b.items.find((p) => keyOf(p) === bOrder[moved])!;
      const [at, end] = rangeOf(pair.key);
      const sameSet = ak.length === bk.length && common.size === ak.length;
      const edit = sameSet ? permuteFix(h, b.items, ak.map((k) => b.items.findIndex((p) => keyOf(p) === k))) : undefined;
      const msg = `Keys of ${path || 'the top-level object'} are in a different order than in the previous version (was ${aOrder.map((k) => `"${k}"`).join(', ')}): a cache miss from "${bOrder[moved]}" on.`;
      out.push(movedFinding(h, at, end, msg, aOrder, edit ? { title: 'Restore the previous key order', edits: [edit] } : undefined));
    }
    for (const p of b.items) {
      const k = keyOf(p);
      const q = a.items.find((x) => keyOf(x) === k);
      if (q) walkPair(h, q.value, p.value, path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (isSeq(a) && isSeq(b)) {
    const an = a.items.map(toolName);
    const bn = b.items.map(toolName);
    const named = an.length > 1 && an.every((x) => x !== undefined) && bn.every((x) => x !== undefined) && new Set(an).size === an.length;
    if (named) {
      const common = new Set(an.filter((x) => bn.includes(x)));
      const aOrder = an.filter((x) => common.has(x)) as string[];
      const bOrder = bn.filter((x) => common.has(x)) as string[];
      const moved = bOrder.findIndex((k, i) => k !== aOrder[i]);
      if (moved >= 0) {
        const idx = bn.indexOf(bOrder[moved]);
        const at = rangeOf(b.items[idx])[0];
        const sameSet = an.length === bn.length && common.size === an.length;
        const edit = sameSet ? permuteFix(h, b.items, an.map((n) => bn.indexOf(n))) : undefined;
        const what = /(^|\.)tools$/.test(path) ? 'Tools' : `Items of ${path}`;
        const msg = `${what} are in a different order than in the previous version (was ${aOrder.join(', ')}): a cache miss from "${bOrder[moved]}" (${path}[${idx}]) on.`;
        out.push(movedFinding(h, at, Math.min(src.length, at + 1), msg, aOrder, edit ? { title: `Restore the previous ${what === 'Tools' ? 'tool' : 'item'} order`, edits: [edit] } : undefined));
      }
      // Compare each item with its namesake, so a moved tool's own keys are judged against itself.
      b.items.forEach((item, i) => {
        const j = an.indexOf(bn[i]);
        if (j >= 0) walkPair(h, a.items[j], item, `${path}[${i}]`, out);
      });
      return;
    }
    b.items.forEach((item, i) => {
      if (i < a.items.length) walkPair(h, a.items[i], item, `${path}[${i}]`, out);
    });
  }
}

/** Replaces the members' text so that slot i holds member order[i]; separators and indentation stay put. */
function permuteFix(h: LintHelper, items: readonly unknown[], order: number[]): TextEdit | undefined {
  const src = h.ctx.source;
  if (order.some((i) => i < 0)) return undefined;
  const spans = items.map((it) => {
    if (isMap(it) || isSeq(it) || isScalar(it)) return rangeOf(it);
    const p = it as Pair;
    return [rangeOf(p.key)[0], rangeOf(p.value)[1]] as [number, number];
  });
  if (spans.some(([s, e]) => e <= s)) return undefined;
  let text = '';
  for (let i = 0; i < spans.length; i++) {
    const [s, e] = spans[order[i]];
    text += src.slice(s, e);
    if (i + 1 < spans.length) text += src.slice(spans[i][1], spans[i + 1][0]);
  }
  return { range: h.range(spans[0][0], spans[spans.length - 1][1]), newText: text };
}
