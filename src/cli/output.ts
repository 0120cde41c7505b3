// Human-readable output: compact tables; colour only on a TTY and never with NO_COLOR.
import { formatCount, formatPercent, formatUsd } from '../core/numbers';
import type { ChurnRegion, DiffResult, HistoryEntry, LineChurn, LintFinding } from '../core/types';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function makeStyle(stream: NodeJS.WriteStream): Style {
  const env = process.env;
  // no-color.org: a non-empty NO_COLOR always wins; FORCE_COLOR forces colour into pipes (CI logs).
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const use = !noColor && (force || (stream.isTTY === true && env.TERM !== 'dumb'));
  const wrap = (code: number, reset: number) => (s: string) => (use ? `\x1b[${code}m${s}\x1b[${reset}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

const fmt = formatCount;
const pct = formatPercent;
const usd = formatUsd;

/** Pads by visible width (ANSI codes excluded). */
function pad(s: string, w: number): string {
  // eslint-disable-next-line no-control-regex
  const visible = s.replace(/\x1b\[\d+m/g, '').length;
  return s + ' '.repeat(Math.max(0, w - visible));
}

export function table(rows: string[][]): string {
  const widths: number[] = [];
  // eslint-disable-next-line no-control-regex
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.replace(/\x1b\[\d+m/g, '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]))).join('  ').trimEnd()).join('\n');
}

/** Shows line breaks and tabs visibly (they matter to the cache) without escaping quotes. */
function oneLine(s: string): string {
  return s.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

export function formatDiff(r: DiffResult, names: { old: string; new: string }, st: Style): string {
  const out: string[] = [];
  out.push(`${st.bold(names.new)}  ${st.dim(`(${r.format}, ${r.encoding})`)}`);
  const share = r.new.tokens > 0 ? r.recomputedTokens / r.new.tokens : 0;
  const rows: string[][] = [['tokens', `old ${fmt(r.old.tokens)}`, `new ${fmt(r.new.tokens)}`]];
  if (r.firstDivergentToken === null) {
    rows.push(['divergence', st.green(r.noEffectOnCache ? 'none: tokens identical (no effect on the cache)' : 'none: identical'), '']);
  } else {
    const d = r.divergence!;
    rows.push([
      'divergence',
      `token ${fmt(r.firstDivergentToken)}`,
      `${names.new}:${d.line}:${d.column}${d.segment ? ` in ${st.cyan(d.segment)}` : ''}  ${st.dim(`(old ${d.old.line}:${d.old.column})`)}`,
    ]);
  }
  rows.push(['reusable', `${fmt(r.reusablePrefixTokens)} tokens`, r.new.tokens ? pct(r.reusablePrefixTokens / r.new.tokens) : '']);
  const rec = `${fmt(r.recomputedTokens)} tokens`;
  rows.push(['recomputed', share > 0.5 ? st.red(rec) : share > 0 ? st.yellow(rec) : st.green(rec), pct(share)]);
  if (r.staticPrefixTokens !== null && r.staticPrefixTokens !== undefined) rows.push(['static prefix', `${fmt(r.staticPrefixTokens)} tokens`, st.dim('before the first per-request placeholder')]);
  out.push(indent(table(rows)));
  if (r.excerpt) {
    out.push(indent(`${st.dim('old')} …${oneLine(r.excerpt.old)}…`));
    out.push(indent(`${st.dim('new')} …${oneLine(r.excerpt.new)}…`));
  }
  out.push('');
  const prow: string[][] = [[st.bold('provider'), st.bold('cached'), st.bold('hit'), st.bold('extra/1k req'), st.bold('rule')]];
  for (const p of r.providers) {
    const hit = pct(p.hitRatio);
    prow.push([
      p.id + (p.model ? st.dim(` ${p.model}`) : ''),
      fmt(p.cachedTokens),
      p.hitRatio >= 0.9 ? st.green(hit) : p.hitRatio < 0.5 ? st.red(hit) : st.yellow(hit),
      p.costPer1kRequests ? `${usd(p.costPer1kRequests.extra)} ${st.dim(`@ $${p.costPer1kRequests.pricePerMTok}/MTok`)}` : st.dim('–'),
      st.dim(p.rule),
    ]);
  }
  out.push(indent(table(prow)));
  const notes = [...new Set([r.encodingNote, ...r.providers.map((p) => p.tokenizerNote)].filter((x): x is string => !!x))];
  const priceSources = [...new Set(r.providers.map((p) => p.costPer1kRequests?.priceSource).filter((x): x is string => !!x))];
  if (priceSources.length) notes.push(`prices: ${groupPriceSources(priceSources)}`);
  for (const n of notes) out.push(indent(st.dim(`note: ${n}`)));
  const problems = [...(r.problems?.old ?? []).map((p) => ({ ...p, side: names.old })), ...(r.problems?.new ?? []).map((p) => ({ ...p, side: names.new }))];
  for (const p of problems) out.push(indent(st.yellow(`${p.side}: ${p.message}`)));
  if (r.findings.length) {
    out.push('');
    out.push(formatFindings(names.new, r.findings, st));
  }
  return out.join('\n');
}

export function formatFindings(file: string, findings: LintFinding[], st: Style): string {
  const rows = findings.map((f) => {
    const sev = f.severity === 'error' ? st.red('error') : f.severity === 'warning' ? st.yellow('warning') : st.cyan('info');
    // The evidence (why the rule believes it), unless the message already says it.
    const evidence = f.evidence && !f.message.includes(f.evidence.summary) ? st.dim(` (${f.evidence.summary})`) : '';
    return [`${file}:${f.range.start.line}:${f.range.start.column}`, sev, st.dim(f.ruleId), `${f.message}${evidence}${f.fix ? st.dim(' [fix available]') : ''}`];
  });
  return table(rows);
}

export function formatHistory(file: string, diffs: HistoryEntry[], churn: ChurnRegion[], st: Style, lineChurn: LineChurn[] = []): string {
  if (diffs.length === 0) return `${file}: only one version in history, nothing to compare`;
  const rows: string[][] = [[st.bold('commit'), st.bold('date'), st.bold('tokens'), st.bold('diverges at'), st.bold('recomputed'), st.bold('where'), st.bold('subject')]];
  for (const d of diffs) {
    const share = d.new.tokens ? d.recomputedTokens / d.new.tokens : 0;
    const rec = `${fmt(d.recomputedTokens)} (${pct(share)})`;
    rows.push([
      d.commit === 'WORKING-TREE' ? 'working' : d.commit.slice(0, 8),
      d.date.slice(0, 10),
      `${fmt(d.old.tokens)}→${fmt(d.new.tokens)}`,
      d.firstDivergentToken === null ? st.green(d.noEffectOnCache ? 'no effect' : 'identical') : `token ${fmt(d.firstDivergentToken)}`,
      share > 0.5 ? st.red(rec) : share > 0 ? st.yellow(rec) : st.green(rec),
      d.divergence ? `${d.divergence.line}:${d.divergence.column}${d.divergence.segment ? ` ${st.cyan(d.divergence.segment.length > 32 ? `${d.divergence.segment.slice(0, 31)}…` : d.divergence.segment)}` : ''}` : '',
      d.subject.length > 50 ? `${d.subject.slice(0, 47)}…` : d.subject,
    ]);
  }
  const out = [table(rows)];
  if (churn.length) {
    out.push('', st.bold('churn (where versions first diverge)'));
    out.push(indent(table(churn.slice(0, 10).map((c) => [c.region, `${c.firstDivergenceCount}×`, st.dim(c.excerpt)]))));
  }
  const hot = lineChurn.filter((l) => l.changedInVersions > 1).slice(0, 8);
  if (hot.length) {
    out.push('', st.bold('most edited lines (newest version)'));
    out.push(indent(table(hot.map((l) => [`line ${l.line}`, `${l.changedInVersions} versions`, st.dim(l.text.trim())]))));
  }
  return out.join('\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/**
 * "pkg 1.0 (date): a/x; pkg 1.0 (date): b/y" → "pkg 1.0 (date): a/x, b/y": the package and its date once, then the
 * models it priced (a user's own price, which has no such prefix, stays as it is).
 */
function groupPriceSources(sources: string[]): string {
  const groups = new Map<string, string[]>();
  for (const s of sources) {
    const m = /^(.*?\)): (.+)$/.exec(s);
    const key = m ? m[1] : s;
    if (!groups.has(key)) groups.set(key, []);
    if (m) groups.get(key)!.push(m[2]);
  }
  return [...groups].map(([k, models]) => (models.length ? `${k}: ${models.join(', ')}` : k)).join('; ');
}
