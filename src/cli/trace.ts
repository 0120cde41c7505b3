// `prompt-cache-audit trace <files or folders…>`: agent sessions, request logs and captures, call by call — where the
// provider's cache broke, why, what it cost, and what it reported against what its rules predict.
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import pkg from '../../package.json';
import { PROVIDER_IDS } from '../core/ids';
import { formatCount, formatPercent, formatUsd } from '../core/numbers';
import { auditSessionFiles, type SessionAudit, type SessionProblem } from '../core/sessions';
import { SOURCE_LABELS } from '../core/sessions/labels';
import { print } from './common';
import { CliError, parseNumber, parseProvider } from './io';
import { makeStyle, table, type Style } from './output';

interface TraceFlags {
  provider?: string;
  json?: boolean;
  sarif?: boolean;
  failOver?: string;
}


function rel(f: string): string {
  const r = path.relative(process.cwd(), f);
  return r && !r.startsWith('..') ? r : f;
}

function when(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '';
}

export function formatSession(a: SessionAudit, st: Style): string {
  const t = a.totals;
  const out: string[] = [];
  const span = t.firstTimestamp ? `, ${when(t.firstTimestamp)} → ${when(t.lastTimestamp).slice(t.firstTimestamp.slice(0, 10) === (t.lastTimestamp ?? '').slice(0, 10) ? 11 : 0)}` : '';
  out.push(`${st.bold(rel(a.file))}  ${st.dim(`(${SOURCE_LABELS[a.source] ?? a.source}, ${formatCount(t.calls)} call${t.calls === 1 ? '' : 's'}${t.models.length ? `, ${t.models.join(', ')}` : ''}${span})`)}`);
  if (a.parent) out.push(`  ${st.dim(`subagent${a.agentId ? ` ${a.agentId}` : ''} of ${rel(a.parent)}`)}`);
  if (t.callsWithUsage === 0) {
    out.push(`  ${st.dim('no reported usage')}`);
    return out.join('\n');
  }
  const r = t.reported;
  const p = r.promptTokens || 1;
  out.push(`  prompt ${formatCount(r.promptTokens)} tokens: ${st.green(`${formatPercent(r.cacheReadTokens / p)} read from cache`)}, ${formatPercent(r.cacheWriteTokens / p)} written, ${formatPercent(r.inputTokens / p)} uncached · output ${formatCount(r.outputTokens)}`);
  const c = t.cost;
  if (c.paidUsd !== null) {
    const share = c.paidUsd > 0 && c.breaksUsd !== null ? ` (${formatPercent(c.breaksUsd / c.paidUsd)})` : '';
    out.push(`  paid ${formatUsd(c.paidUsd)} · breaks cost ${c.breaksUsd !== null && c.breaksUsd > 0 ? st.red(formatUsd(c.breaksUsd)) : formatUsd(c.breaksUsd ?? 0)}${share} · without breaks ${formatUsd(c.withoutBreaksUsd ?? 0)}${c.unpricedModels.length ? st.dim(` (no price for ${c.unpricedModels.join(', ')})`) : ''}`);
  } else if (c.unpricedModels.length) out.push(`  ${st.dim(`cost: no price data for ${c.unpricedModels.join(', ')}`)}`);
  const breaks = a.calls.filter((x) => x.break).sort((x, y) => y.break!.lostTokens - x.break!.lostTokens);
  if (breaks.length === 0) out.push(`  ${st.green('no cache breaks')}`);
  else {
    out.push(`  ${st.yellow(`${breaks.length} break${breaks.length === 1 ? '' : 's'}`)}, ${formatCount(t.lostTokens)} tokens not read again (${formatPercent(t.writtenAgainShare)} of the input), worst first:`);
    const rows = breaks.slice(0, 20).map((x) => {
      const b = x.break!;
      const where = x.line !== undefined ? `line ${x.line}` : x.entry !== undefined ? `entry ${x.entry}` : '';
      return [`call ${x.index}`, st.dim(where), st.dim(when(x.timestamp)), st.red(formatCount(b.lostTokens)), st.cyan(b.cause), b.costUsd ? formatUsd(b.costUsd) : '', b.explanation];
    });
    out.push(
      table(rows)
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
    if (breaks.length > 20) out.push(`    ${st.dim(`… and ${breaks.length - 20} more (--json lists all)`)}`);
  }
  for (const w of t.compactions) out.push(`  ${w.explanation}`);
  if (t.strategy.favours !== 'unknown') out.push(`  ${st.bold(`${t.strategy.favours === 'masking' ? 'masking earlier turns' : 'restarting from a summary'} is favoured`)}: ${t.strategy.explanation}`);
  if (t.agreement) {
    // The gap in the provider's units (scaled when the tokenizer is a stand-in); partial predictions are not compared.
    const gap = (x: (typeof a.calls)[number]) => Math.abs(x.predicted!.vsReported!.scaledCachedTokens ?? x.predicted!.vsReported!.cachedTokens);
    const worst = a.calls.filter((x) => x.predicted?.vsReported && !x.predicted.partial && gap(x) > Math.max(16, 0.01 * (x.reported?.promptTokens ?? 0))).sort((x, y) => gap(y) - gap(x))[0];
    out.push(`  predicted vs reported: ${t.agreement.explanation}${worst ? st.dim(`; largest gap at call ${worst.index}: predicted ${formatCount(worst.predicted!.cachedTokens)} cached, reported ${formatCount(worst.reported!.cacheReadTokens)} (${worst.predicted!.vsReported!.explanation})`) : ''}`);
  }
  return out.join('\n');
}

function problemLine(p: SessionProblem): string {
  return `${rel(p.file)}${p.line ? `:${p.line}` : ''}: ${p.severity}: ${p.message.replace(/^line \d+: /, '')}`;
}

const CAUSE_TEXT: Record<string, string> = {
  ttl: 'The cache entry expired: the gap between calls exceeded its lifetime.',
  compaction: 'A compaction replaced the history: everything after the system prompt was written again.',
  model: 'The model changed: a new model starts with a cold cache.',
  tools: 'The tool definitions changed: everything after them was recomputed.',
  system: 'The system prompt changed: everything after it was recomputed.',
  messages: 'An earlier message of the history changed.',
  fork: 'The request continued from an earlier point of the conversation.',
  unexplained: 'The logged request extends the earlier one, yet the provider did not read its entry.',
};

export function traceSarif(sessions: SessionAudit[]): object {
  const causes = Object.keys(CAUSE_TEXT);
  const rules = causes.map((c) => ({ id: `cache-break-${c}`, name: `CacheBreak${c[0].toUpperCase()}${c.slice(1)}`, shortDescription: { text: `Cache break: ${c}` }, fullDescription: { text: CAUSE_TEXT[c] }, defaultConfiguration: { level: c === 'unexplained' ? 'note' : 'warning' } }));
  const results = sessions.flatMap((a) =>
    a.calls
      .filter((c) => c.break)
      .map((c) => {
        const b = c.break!;
        const loc: Record<string, unknown> = { artifactLocation: { uri: rel(a.file).split(path.sep).join('/') } };
        if (c.line !== undefined) loc.region = { startLine: c.line };
        return {
          ruleId: `cache-break-${b.cause}`,
          ruleIndex: causes.indexOf(b.cause),
          level: b.cause === 'unexplained' ? 'note' : 'warning',
          message: { text: `call ${c.index}: ${b.explanation}` },
          locations: [{ physicalLocation: loc, logicalLocations: [{ name: `call ${c.index}`, kind: 'member' }] }],
          properties: { lostTokens: b.lostTokens, gapSeconds: b.gapSeconds, costUsd: b.costUsd ?? null, model: c.model },
        };
      }),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'prompt-cache-audit', version: pkg.version, informationUri: 'https://github.com/prompt-cache-auditor/prompt-cache-auditor', rules } }, results }],
  };
}

async function runTrace(paths: string[], flags: TraceFlags): Promise<void> {
  const failOver = parseNumber('--fail-over', flags.failOver, { min: 0, max: 100 });
  const provider = parseProvider(flags.provider);
  if (flags.json && flags.sarif) throw new CliError('--json and --sarif: choose one');
  const { sessions, problems } = await auditSessionFiles(paths, { provider });
  const allProblems = [...problems, ...sessions.flatMap((s) => s.problems)];
  if (flags.json) {
    print(JSON.stringify({ sessions, problems }, null, 2));
  } else if (flags.sarif) {
    print(JSON.stringify(traceSarif(sessions), null, 2));
  } else {
    const st = makeStyle(process.stdout);
    const shown = sessions.filter((s) => s.calls.length > 0);
    print(shown.length ? shown.map((s) => formatSession(s, st)).join('\n\n') : 'no API calls with usage found');
  }
  if (!flags.json) for (const p of allProblems) process.stderr.write(`${problemLine(p)}\n`);
  if (sessions.every((s) => s.calls.length === 0) && allProblems.some((p) => p.severity === 'error')) {
    process.exitCode = 2;
    return;
  }
  if (failOver !== undefined && sessions.some((s) => s.totals.writtenAgainShare * 100 > failOver)) process.exitCode = 1;
}

export function registerTraceCommand(program: Command): void {
  program
    .command('trace')
    .description('agent sessions and request logs, call by call: where the provider cache broke, why, and what it cost')
    .argument('<paths...>', 'session logs, captures or folders (Claude Code, Codex, HAR, JSONL request logs, OTLP JSON, Copilot Chat exports, Gemini CLI)')
    .addOption(new Option('--provider <id>', `provider for logs that do not say (${PROVIDER_IDS.join(', ')})`))
    .option('--json', 'print JSON: { "sessions": [ … ] }')
    .option('--sarif', 'print SARIF 2.1.0: one result per break')
    .option('--fail-over <percent>', 'exit 1 when a session writes more than this share of its input again because of breaks')
    .action((paths: string[], flags: TraceFlags) => runTrace(paths, flags));
}
