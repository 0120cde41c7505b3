// line-ending-drift: CRLF/LF/CR differ from the previous version (or are mixed), which changes tokens.
import type { LintRule } from '../helper';
import type { TextEdit } from '../../types';

type Eol = '\r\n' | '\n' | '\r';

function lineBreaks(s: string): { offset: number; eol: Eol }[] {
  const out: { offset: number; eol: Eol }[] = [];
  const re = /\r\n|\n|\r/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push({ offset: m.index, eol: m[0] as Eol });
  return out;
}

function dominant(breaks: { eol: Eol }[]): Eol | undefined {
  const counts = new Map<Eol, number>();
  for (const b of breaks) counts.set(b.eol, (counts.get(b.eol) ?? 0) + 1);
  let best: Eol | undefined;
  for (const [k, v] of counts) if (!best || v > counts.get(best)!) best = k;
  return best;
}

const EOL_NAME: Record<Eol, string> = { '\r\n': 'CRLF', '\n': 'LF', '\r': 'CR' };

export const rule: LintRule = {
  id: 'line-ending-drift',
  title: 'Line endings differ from the previous version',
  defaultSeverity: 'warning',
  explanation:
    "CRLF and LF are different tokens. A file re-saved with other line endings (or with mixed endings) misses the cache from the first changed line break. The fix normalises line endings to the previous version's.",
  details: 'Without a previous version only a mix of line endings in one file is reported (info). Line breaks the model never sees (front matter, whitespace between JSON tokens) are ignored.',
  evidence: "The previous version's line endings, or the mix found in the file.",
  check(h) {
    const breaks = lineBreaks(h.ctx.source);
    if (breaks.length === 0) return [];
    const prevBreaks = h.ctx.previous ? lineBreaks(h.ctx.previous.source) : [];
    const target = prevBreaks.length ? dominant(prevBreaks)! : dominant(breaks)!;
    const kinds = new Set(breaks.map((b) => b.eol));
    const off = breaks.filter((b) => b.eol !== target);
    if (off.length === 0) return [];
    // Without a previous version, uniform endings are fine; only a mix is drift in the making.
    if (!prevBreaks.length && kinds.size < 2) return [];
    // Breaks the model never sees (front matter, whitespace between JSON tokens) cannot cost anything.
    const seen = off.filter((b) => h.isRendered(b.offset));
    if (seen.length === 0) return [];
    const first = seen[0];
    const edits: TextEdit[] = off.map((b) => ({ range: h.range(b.offset, b.offset + b.eol.length), newText: target }));
    const kindsText = [...kinds].map((k) => EOL_NAME[k]).join(' and ');
    return [
      {
        ruleId: 'line-ending-drift',
        severity: prevBreaks.length ? 'warning' : 'info',
        message: prevBreaks.length
          ? `${off.length} line break(s) are ${[...new Set(off.map((b) => EOL_NAME[b.eol]))].join('/')} but the previous version used ${EOL_NAME[target]}: the prompt's tokens change from the first one on.`
          : `Mixed line endings (${kindsText}): re-saving the file will change them and miss the cache.`,
        range: h.range(first.offset, first.offset + first.eol.length),
        tokensAtRisk: h.atRiskFromSource(first.offset),
        fix: { title: `Normalise line endings to ${EOL_NAME[target]}`, edits },
        evidence: prevBreaks.length
          ? { kind: 'previous-version', summary: `The previous version used ${EOL_NAME[target]} line breaks.` }
          : { kind: 'measurement', summary: `The file mixes ${kindsText} line breaks.` },
      },
    ];
  },
};
