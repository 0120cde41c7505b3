// trailing-whitespace-drift: a line changed only in trailing spaces/tabs since the previous version.
import { count, splitLines, type LintRule } from '../helper';
import type { LintFinding } from '../../types';

export const rule: LintRule = {
  id: 'trailing-whitespace-drift',
  title: 'Trailing whitespace changed',
  defaultSeverity: 'warning',
  explanation:
    'A line differs from the previous version only in trailing spaces or tabs. Invisible in the editor, it still changes tokens and invalidates everything after the line. The fix restores the previous trailing whitespace.',
  details: 'Compared line by line up to the first line whose visible content changed.',
  evidence: 'The line in the previous version.',
  check(h) {
    const prev = h.ctx.previous?.source;
    if (prev === undefined) return [];
    const a = splitLines(prev);
    const b = splitLines(h.ctx.source);
    const out: LintFinding[] = [];
    const n = Math.min(a.length, b.length);
    // Walk the lines the versions share; stop at the first real (non-whitespace) difference.
    for (let i = 0; i < n; i++) {
      if (a[i].text === b[i].text) continue;
      const sa = a[i].text.replace(/[ \t]+$/, '');
      const sb = b[i].text.replace(/[ \t]+$/, '');
      if (sa !== sb) break;
      const oldWs = a[i].text.slice(sa.length);
      const start = b[i].start + sb.length;
      const end = b[i].start + b[i].text.length;
      const at = start < end ? start : Math.max(0, start - 1);
      if (!h.isRendered(at)) continue;
      const atRisk = h.atRiskFromSource(at);
      out.push({
        ruleId: 'trailing-whitespace-drift',
        severity: 'warning',
        message: `Line ${i + 1} differs from the previous version only in trailing whitespace: invisible, yet ${count(atRisk)} tokens after it are recomputed.`,
        range: h.range(start, Math.max(end, start)),
        tokensAtRisk: atRisk,
        fix: { title: 'Restore the previous trailing whitespace', edits: [{ range: h.range(start, end), newText: oldWs }] },
        evidence: { kind: 'previous-version', summary: `The previous version ended line ${i + 1} with ${oldWs.length} whitespace character(s), this one with ${end - start}.` },
      });
      if (out.length >= 20) break;
    }
    return out;
  },
};
