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
    // Ranges of top-level keys and of nested ones (`model.configuration`), so a change is reported on its own line.
    const visit = (node: unknown, prefix: string, depth: number) => {
      if (!isMap(node) || depth > 3) return;
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        const kr = (pair.key as { range?: number[] } | null)?.range;
        const vr = (pair.value as { range?: number[] } | null)?.range;
        if (k === undefined || !kr) continue;
        keyRanges[prefix + k] = { start: yamlStart + kr[0], end: yamlStart + (vr ? vr[1] : kr[1]) };
        visit(pair.value, `${prefix}${k}.`, depth + 1);
      }
    };
    visit(doc.contents, '', 0);
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
    const r = fm.keyRanges?.[path] ?? fm.keyRanges?.[top] ?? fm.range ?? { start: 0, end: 0 };
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

/**
 * Front matter as the coding agents read it: YAML, or, when YAML rejects it, `key: value` lines (Cursor writes
 * `globs: *.ts, *.tsx` unquoted, Claude Code accepts `paths: src/**` the same way). A block that reads cleanly as
 * such lines is not a problem; one that does not keeps YAML's error, as a warning. Values of the loose reading are
 * strings (`true`/`false` booleans, empty ones null, `- item` lines below a key a list).
 */
export function splitFrontMatterLoose(source: string): FrontMatterSplit {
  const fm = splitFrontMatter(source);
  if (!fm.range || fm.data !== undefined) return fm;
  const open = /^\uFEFF?---[ \t]*\r?\n/.exec(source);
  if (!open) return fm;
  const data: Record<string, unknown> = {};
  const keyRanges: Record<string, { start: number; end: number }> = {};
  let clean = true;
  let lastKey: string | undefined;
  const closeLine = source.lastIndexOf('---', fm.bodyStart - 1);
  let pos = open[0].length;
  for (const line of source.slice(pos, closeLine).split('\n')) {
    const text = line.replace(/\r$/, '');
    const kv = /^([A-Za-z_][\w.-]*):(?:[ \t]+(.*?))?[ \t]*$/.exec(text);
    const item = /^[ \t]+-[ \t]+(.*?)[ \t]*$/.exec(text);
    if (kv) {
      const v = kv[2] ?? '';
      data[kv[1]] = v === '' ? null : v === 'true' ? true : v === 'false' ? false : unquote(v);
      keyRanges[kv[1]] = { start: pos, end: pos + text.length };
      lastKey = kv[1];
    } else if (item && lastKey !== undefined) {
      const prev = data[lastKey];
      data[lastKey] = [...(Array.isArray(prev) ? prev : []), unquote(item[1])];
      keyRanges[lastKey] = { start: keyRanges[lastKey].start, end: pos + text.length };
    } else if (text.trim() !== '' && !/^\s*#/.test(text)) {
      clean = false;
    }
    pos += line.length + 1;
  }
  return { ...fm, data, keyRanges, problems: clean ? [] : fm.problems.map((p) => ({ ...p, severity: 'warning' as const })) };
}

function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v);
  return m ? m[2] : v;
}
