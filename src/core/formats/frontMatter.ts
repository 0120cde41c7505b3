// YAML front matter (VS Code prompt files, .prompty): configuration for the loader, not prompt text.
import { parseDocument } from 'yaml';
import { oneLineMessage } from '../text';
import type { ParseProblem } from '../types';

export interface FrontMatterSplit {
  /** Source offsets of the whole block including fences; undefined when there is none. */
  range?: { start: number; end: number };
  /** Source offset where the body (the prompt) starts. */
  bodyStart: number;
  problems: ParseProblem[];
  data?: unknown;
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
  } catch (e) {
    problems.push({ message: oneLineMessage(`Front matter YAML: ${(e as Error).message}`), severity: 'error', start: yamlStart, end: yamlEnd });
  }
  return { range: { start: 0, end }, bodyStart: end, problems, data };
}
