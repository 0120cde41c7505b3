// YAML front matter (VS Code prompt files, .prompty): configuration for the loader, not prompt text.
import { isMap, isScalar, parseDocument } from 'yaml';
import { oneLineMessage } from '../text';
import type { ParseProblem, RequestKey } from '../types';

export interface FrontMatterSplit {
  /** Source offsets of the whole block including fences; undefined when there is none. */
  range?: { start: number; end: number };
  /** Source offset where the body (the prompt) starts. */
  bodyStart: number;
  problems: ParseProblem[];
  data?: unknown;
  /** Source range (key start to value end) of each top-level key. */
  keyRanges?: Record<string, { start: number; end: number }>;
}

const OPEN = /^\uFEFF?---[ \t]*\r?\n/;
// `m` flag: `^` matches at every line start, so an empty block (`---` right after the opener) closes too.
const CLOSE = /^---[ \t]*(?:\r?\n|$)/gm;

export function splitFrontMatter(source: string): FrontMatterSplit {
  const open = OPEN.exec(source);
  if (!open) return { bodyStart: 0, problems: [] };
  const yamlStart = open[0].length;
  CLOSE.lastIndex = yamlStart;
  const close = CLOSE.exec(source);
  if (!close) {
    return {
      bodyStart: 0,
      problems: [{ message: 'Front matter is not closed: a line with `---` is missing; the whole file is treated as prompt text.', severity: 'warning', start: 0, end: open[0].length }],
    };
  }
  const yamlEnd = close.index;
  const end = close.index + close[0].length;
  const yamlText = source.slice(yamlStart, yamlEnd);
  const problems: ParseProblem[] = [];
  const keyRanges: Record<string, { start: number; end: number }> = {};
  let data: unknown;
  try {
    const doc = parseDocument(yamlText, { prettyErrors: false });
    for (const e of doc.errors) {
      problems.push({
        message: oneLineMessage(`Front matter YAML: ${e.message.split('\n')[0]}`),
        severity: 'error',
        start: yamlStart + e.pos[0],
        end: yamlStart + Math.max(e.pos[1], e.pos[0] + 1),
      });
    }
    if (doc.errors.length === 0) data = doc.toJS();
    if (isMap(doc.contents)) {
      for (const pair of doc.contents.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        const kr = (pair.key as { range?: number[] } | null)?.range;
        const vr = (pair.value as { range?: number[] } | null)?.range;
        if (k !== undefined && kr) keyRanges[k] = { start: yamlStart + kr[0], end: yamlStart + (vr ? vr[1] : kr[1]) };
      }
    }
  } catch (e) {
    problems.push({ message: oneLineMessage(`Front matter YAML: ${(e as Error).message}`), severity: 'error', start: yamlStart, end: yamlEnd });
  }
  return { range: { start: 0, end }, bodyStart: end, problems, data, keyRanges };
}

/**
 * Which front-matter keys change the request (a key path → why a change is a full miss). A key path is a top-level key
 * or `parent.child`; `when` limits a key to files whose front matter satisfies it (a Cursor rule's description counts
 * only when the rule is not always applied).
 */
export type RequestKeySpec = Record<string, { why: string; when?: (data: Record<string, unknown>) => boolean }>;

/** The request keys a front matter sets, by the format's spec: missing keys are left out. */
export function requestKeysOf(fm: FrontMatterSplit, spec: RequestKeySpec): Record<string, RequestKey> {
  const out: Record<string, RequestKey> = {};
  const data = fm.data && typeof fm.data === 'object' && !Array.isArray(fm.data) ? (fm.data as Record<string, unknown>) : undefined;
  if (!data) return out;
  for (const [path, { why, when }] of Object.entries(spec)) {
    if (when && !when(data)) continue;
    const [top, ...rest] = path.split('.');
    let v: unknown = data[top];
    for (const k of rest) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (v === undefined) continue;
    const r = fm.keyRanges?.[top] ?? fm.range ?? { start: 0, end: 0 };
    out[`front matter: ${path}`] = { value: canonicalJson(v), start: r.start, end: r.end, why };
  }
  return out;
}

/** JSON with object keys sorted, so a reordered YAML mapping is the same setting. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  ) ?? 'null';
}
