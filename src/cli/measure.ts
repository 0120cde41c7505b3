// `prompt-cache-audit measure <old> <new>`: the audit's divergence plus a real measurement on a local cached decoder
// (cold prefill of the new version vs the recomputed tokens continuing from the cached prefix).
import { formatCount, formatMs, formatPercent } from '../core/numbers';
import * as readline from 'node:readline';
import type { Command } from 'commander';
import { auditVersions, type AuditOptions } from '../core/audit';
import type { DiffResult } from '../core/types';
import { DEFAULT_PRESET, DEFAULT_TOKEN_CAP } from '../decoder/defaults';
import type { KvDrift, MeasureProgress, Measurement } from '../decoder/index';
import { loadDecoderModule } from '../decoder/load';
import { isPresetName, PRESET_NAMES } from '../decoder/presets';
import { CliError, parseEncoding, parseNumber, readPromptFile } from './io';
import { makeStyle, table, type Style } from './output';

interface MeasureFlags {
  preset?: string;
  model?: string;
  runs?: string;
  threads?: string;
  tokenCap?: string;
  cacheDir?: string;
  encoding?: string;
  raw?: boolean;
  as?: string;
  json?: boolean;
  yes?: boolean;
  drift?: boolean;
  maxRuns?: string;
  timeCap?: string;
}

type Stats = Measurement['cold'];

/** The `measurement` object of `--json` output (documented in docs/decoder.md). */
export interface MeasurementJson {
  preset?: string;
  model?: string;
  shapedLike?: string;
  configUrl?: string;
  tokens: number;
  reusablePrefix: number;
  recomputedTokens: number;
  cold: Pick<Stats, 'medianMs' | 'minMs' | 'maxMs' | 'q1Ms' | 'q3Ms' | 'spread' | 'tokensPerSecond' | 'runsMs'>;
  warm: Pick<Stats, 'medianMs' | 'minMs' | 'maxMs' | 'q1Ms' | 'q3Ms' | 'spread' | 'tokensPerSecond' | 'runsMs'>;
  savedMs: number;
  speedup: number;
  expectedSpeedup?: number;
  flops?: { cold: number; warm: number };
  threads: number;
  runs: number;
  stopReason: Measurement['stopReason'];
  sampling: Measurement['sampling'];
  load: Measurement['load'];
  vocabMapped: boolean;
  scaledFrom?: { tokens: number; reusablePrefix: number };
  notes: string[];
  gpuEstimate: Measurement['gpuEstimate'];
}

export function measurementJson(m: Measurement): MeasurementJson {
  const t = (s: Stats) => ({ medianMs: s.medianMs, minMs: s.minMs, maxMs: s.maxMs, q1Ms: s.q1Ms, q3Ms: s.q3Ms, spread: s.spread, tokensPerSecond: s.tokensPerSecond, runsMs: s.runsMs });
  return {
    ...(m.model.kind === 'preset' ? { preset: m.model.name, shapedLike: m.model.shapedLike, configUrl: m.model.configUrl } : { model: m.model.name }),
    tokens: m.tokens,
    reusablePrefix: m.reusablePrefix,
    recomputedTokens: m.recomputedTokens,
    cold: t(m.cold),
    warm: t(m.warm),
    savedMs: m.savedMs,
    speedup: m.speedup,
    ...(m.expectedSpeedup !== undefined ? { expectedSpeedup: m.expectedSpeedup, flops: m.flops } : {}),
    threads: m.threads,
    runs: m.runs,
    stopReason: m.stopReason,
    sampling: m.sampling,
    load: m.load,
    vocabMapped: m.vocabMapped,
    ...(m.scaledFrom ? { scaledFrom: m.scaledFrom } : {}),
    notes: m.notes,
    gpuEstimate: m.gpuEstimate,
  };
}

/** The `kvDrift` object of `measure --drift --json`: per layer and compared position, aligned by token identity. */
export interface KvDriftJson {
  layers: number;
  positions: number;
  divergenceIndex: number;
  /** key[layer][pos], value[layer][pos]: relative change; null at edited positions (no counterpart). */
  key: (number | null)[][];
  keyUnshifted?: (number | null)[][];
  value: (number | null)[][];
  /** Per compared position (new index divergenceIndex + pos): the old index it is compared with, or null. */
  aligned: (number | null)[];
  alignment: KvDrift['alignment'];
  window: KvDrift['window'];
  notes: string[];
}

export function kvDriftJson(d: KvDrift): KvDriftJson {
  const nums = (xs: number[]) => xs.map((x) => (Number.isFinite(x) ? x : null));
  const unshifted = d.layers.every((l) => l.keyUnshifted) && d.layers.length > 0;
  return {
    layers: d.layers.length,
    positions: d.positions,
    divergenceIndex: d.divergenceIndex,
    key: d.layers.map((l) => nums(l.key)),
    ...(unshifted ? { keyUnshifted: d.layers.map((l) => nums(l.keyUnshifted ?? [])) } : {}),
    value: d.layers.map((l) => nums(l.value)),
    aligned: d.aligned,
    alignment: d.alignment,
    window: d.window,
    notes: d.notes,
  };
}

const ms = formatMs;
const int = formatCount;

export function formatMeasurement(r: DiffResult, m: Measurement, names: { old: string; new: string }, st: Style): string {
  const out: string[] = [];
  const share = r.new.tokens > 0 ? ` (${formatPercent(r.recomputedTokens / r.new.tokens)})` : '';
  out.push(`${st.bold(names.old)} → ${st.bold(names.new)}: ${int(r.new.tokens)} tokens (${r.encoding}), ${int(r.reusablePrefixTokens)} reusable, ${int(r.recomputedTokens)} recomputed${share}`);
  const d = m.model;
  const shape = d.kind === 'preset'
    ? `${d.name} (${((d.parameters ?? 0) / 1e6).toFixed(1)}M parameters, ${d.layers} layers, ${d.heads ?? '?'} heads / ${d.kvHeads} KV heads)`
    : `${d.name} (${d.layers} layers, ${d.kvHeads} KV heads × ${d.headDim}, ${d.kvDtype} KV)`;
  out.push(`Local decoder: ${shape}; ${m.threads} thread${m.threads === 1 ? '' : 's'}; cold and warm runs interleaved, ${m.runs} each (${stopWords(m)})`);
  if (d.shapedLike && d.configUrl) out.push(st.dim(`shape of ${d.shapedLike} (${d.configUrl}), random weights, the graph Optimum exports`));
  out.push('');
  const rows = [[st.bold('prefill'), st.bold('tokens'), st.bold('median'), st.bold('IQR'), st.bold('min–max'), st.bold('tokens/s')]];
  const iqr = (s: Stats) => `${ms(s.q1Ms)}–${ms(s.q3Ms)} (±${formatPercent(s.spread / 2)})`;
  rows.push(['cold (no cache)', int(m.tokens), ms(m.cold.medianMs), iqr(m.cold), `${ms(m.cold.minMs)}–${ms(m.cold.maxMs)}`, int(m.cold.tokensPerSecond)]);
  rows.push([`cached prefix of ${int(m.reusablePrefix)}`, int(m.recomputedTokens), ms(m.warm.medianMs), iqr(m.warm), `${ms(m.warm.minMs)}–${ms(m.warm.maxMs)}`, int(m.warm.tokensPerSecond)]);
  out.push(table(rows));
  const expected = m.expectedSpeedup !== undefined ? `; the FLOP count allows ${m.expectedSpeedup.toFixed(1)}×` : '';
  out.push(`${st.green('saved')} ${ms(m.savedMs)} per request (${m.speedup.toFixed(1)}× faster with the cache${expected})`);
  if (m.load.underLoad) out.push(st.yellow(`under load: ${m.load.reason}`));
  for (const n of m.notes) if (!n.startsWith('Measured under load')) out.push(st.yellow(`note: ${n}`));
  out.push('');
  const g = m.gpuEstimate;
  out.push(`GPU estimate for ${int(m.scaledFrom?.tokens ?? m.tokens)} tokens, ${int(m.scaledFrom?.reusablePrefix ?? r.reusablePrefixTokens)} cached — ${g.regime}:`);
  const grows = [[st.bold('model'), st.bold('cold'), st.bold('cached'), st.bold('saved'), '']];
  for (const row of g.rows) grows.push([row.model, ms(row.coldMs), ms(row.warmMs), ms(row.savedMs), [row.extrapolated ? 'extrapolated' : '', row.floorBound ? 'at the launch floor' : ''].filter(Boolean).map((x) => st.dim(`(${x})`)).join(' ')]);
  out.push(table(grows));
  out.push(g.verdict);
  out.push(st.dim(`model: ${g.model}`));
  out.push(st.dim(`data: ${g.source}; ${g.method}`));
  return out.join('\n');
}

function stopWords(m: Measurement): string {
  if (m.stopReason === 'stable') return `spread ≤ ${formatPercent(m.sampling.targetSpread)}`;
  if (m.stopReason === 'time cap') return `stopped at the ${Math.round(m.sampling.timeCapMs / 1000)} s time cap`;
  return `stopped at ${m.sampling.maxRuns} runs`;
}

export function formatKvDrift(d: KvDrift): string {
  const out: string[] = [];
  const a = d.alignment;
  out.push(`KV drift from token ${int(d.divergenceIndex)}: ${d.layers.length} layers × ${int(d.positions)} positions; edit replaces ${int(a.editedOld[1] - a.editedOld[0])} token(s) with ${int(a.editedNew[1] - a.editedNew[0])}; ${int(a.commonSuffix)} unchanged after it (shift ${a.shift >= 0 ? '+' : ''}${a.shift})`);
  const median = (xs: number[]) => {
    const f = xs.filter(Number.isFinite).sort((x, y) => x - y);
    return f.length ? f[f.length >> 1] : NaN;
  };
  const rows = [['layer', 'K (median)', ...(d.layers[0]?.keyUnshifted ? ['K unshifted'] : []), 'V (median)']];
  for (const l of d.layers) {
    const tail = (xs: number[]) => xs.filter((_, i) => d.aligned[i] !== null);
    rows.push([`L${l.layer}`, median(tail(l.key)).toExponential(1), ...(l.keyUnshifted ? [median(tail(l.keyUnshifted)).toExponential(1)] : []), median(tail(l.value)).toExponential(1)]);
  }
  out.push(table(rows));
  for (const n of d.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

async function askYesNo(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Where results go (tests pass their own sink; the CLI writes to stdout). */
export interface MeasureOutput {
  write(s: string): unknown;
}

async function runMeasure(oldFile: string, newFile: string, flags: MeasureFlags, out: MeasureOutput): Promise<void> {
  if (flags.preset !== undefined && flags.model !== undefined) throw new CliError('measure: use either --preset or --model, not both');
  if (flags.preset !== undefined && !isPresetName(flags.preset)) {
    throw new CliError(`--preset: unknown preset "${flags.preset}" (one of ${PRESET_NAMES.join(', ')})`);
  }
  const runs = parseNumber('--runs', flags.runs, { min: 3, max: 1000, integer: true });
  const maxRuns = parseNumber('--max-runs', flags.maxRuns, { min: 3, max: 1000, integer: true });
  const timeCap = parseNumber('--time-cap', flags.timeCap, { min: 0, max: 86_400 });
  const threads = parseNumber('--threads', flags.threads, { min: 1, max: 256, integer: true });
  const tokenCap = parseNumber('--token-cap', flags.tokenCap, { min: 2, max: 1_000_000, integer: true });
  const options: AuditOptions = { fileName: flags.as ?? newFile, encoding: parseEncoding(flags.encoding), raw: flags.raw, lint: false };
  if (!flags.as) options.oldFileName = oldFile;
  const oldSource = readPromptFile(oldFile);
  const newSource = readPromptFile(newFile);
  const { result, tokens } = auditVersions(oldSource, newSource, options);
  const ids = tokens.new.ids;
  if (ids.length === 0) throw new CliError(`${newFile}: the new version has no tokens to measure`);

  const preset = flags.model ? undefined : isPresetName(flags.preset ?? '') ? (flags.preset as typeof DEFAULT_PRESET) : DEFAULT_PRESET;
  // The decoder client (and its ONNX model writer) loads only now: the CLI's other commands never parse it.
  const { DecoderClient, DecoderError, defaultCacheDir } = loadDecoderModule();
  const cacheDir = flags.cacheDir ?? defaultCacheDir();
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  let declinedMb = '';
  const client = new DecoderClient({
    onConfirmLargeWrite: async (bytes) => {
      const mb = `${Math.round(bytes / 1e6)} MB`;
      const ok = flags.yes === true || (interactive && (await askYesNo(`prompt-cache-audit: write the ${preset} model (${mb}, once) to ${cacheDir}? [y/N] `)));
      if (!ok) declinedMb = mb;
      return ok;
    },
  });

  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const showProgress = process.stderr.isTTY === true && !flags.json;
  const progress = (p: MeasureProgress) => {
    if (!showProgress) return;
    const what = p.phase === 'generating' ? 'writing the model' : p.phase === 'loading' ? 'loading the model' : p.run ? `${p.phase} run ${p.run}` : p.phase;
    const frac = p.fraction !== undefined ? ` ${Math.round(p.fraction * 100)}%` : '';
    process.stderr.write(`\r\x1b[2Kmeasuring: ${what}${frac}`);
  };
  let m: Measurement;
  let drift: KvDrift | undefined;
  try {
    m = await client.measure(
      { ids, reusablePrefix: result.reusablePrefixTokens, preset, modelPath: flags.model, cacheDir, runs, maxRuns, timeCapMs: timeCap === undefined ? undefined : timeCap * 1000, threads, tokenCap: tokenCap ?? DEFAULT_TOKEN_CAP },
      ac.signal,
      progress,
    );
    if (flags.drift && result.firstDivergentToken !== null) {
      drift = await client.kvDrift({ oldIds: tokens.old.ids, newIds: ids, divergenceIndex: result.firstDivergentToken, preset, modelPath: flags.model, cacheDir, threads }, ac.signal, progress);
    }
  } catch (e) {
    if (e instanceof DecoderError) {
      if (e.code === 'CANCELLED') throw new CliError('measure: cancelled', 130);
      if (e.code === 'WRITE_DECLINED') {
        throw new CliError(`measure: the ${preset} model needs a one-time ${declinedMb} write to ${cacheDir}; rerun with --yes to allow it`);
      }
      if (['MODEL_NOT_FOUND', 'MODEL_INVALID', 'MODEL_IO', 'BAD_REQUEST'].includes(e.code)) throw new CliError(`${flags.model ? '--model' : 'measure'}: ${e.message}`);
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (showProgress) process.stderr.write('\r\x1b[2K');
    // Lets the worker leave its current chunk and release its sessions before the process exits.
    await client.dispose();
  }
  if (flags.json) {
    out.write(`${JSON.stringify({ ...result, measurement: measurementJson(m), ...(drift ? { kvDrift: kvDriftJson(drift) } : {}) }, null, 2)}\n`);
  } else {
    out.write(`${formatMeasurement(result, m, { old: oldFile, new: newFile }, makeStyle(process.stdout))}\n`);
    if (flags.drift) out.write(drift ? `\n${formatKvDrift(drift)}\n` : '\nKV drift: the versions have the same tokens.\n');
  }
}

export function registerMeasureCommand(program: Command, out: MeasureOutput = process.stdout): void {
  program
    .command('measure')
    .description('time the edit on a local cached decoder: cold prefill vs continuing from the reusable prefix')
    .argument('<old>', 'previous version')
    .argument('<new>', 'new version')
    .option('--preset <name>', `generated model: ${PRESET_NAMES.join(', ')} (default ${DEFAULT_PRESET})`)
    .option('--model <file.onnx>', 'your own Optimum-exported ONNX decoder with a KV cache instead of a preset')
    .option('--runs <n>', 'least timed runs per phase (≥ 3); cold and warm alternate, more follow until the spread is ≤ 10%', '3')
    .option('--max-runs <n>', 'most timed runs per phase (default 15)')
    .option('--time-cap <seconds>', 'stop sampling after this much timed work even if the spread is still large (default 60)')
    .option('--drift', 'also compute the KV drift map (per layer and position, aligned by token identity)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: cores − 1, at most 4)')
    .option('--token-cap <n>', `longest prompt measured; longer ones are scaled down keeping the cached share (default ${DEFAULT_TOKEN_CAP})`)
    .option('--cache-dir <dir>', 'where generated models are kept (default: $XDG_CACHE_HOME/prompt-cache-auditor or ~/.cache/prompt-cache-auditor)')
    .option('--encoding <name>', 'token encoding of the audit')
    .option('--raw', "tokenize the files' text as is, whatever its format")
    .option('--as <filename>', 'detect the format from this file name instead')
    .option('--json', 'print the diff as JSON with a `measurement` field')
    .option('--yes', 'allow writing a generated model larger than 100 MB without asking')
    .action((oldFile: string, newFile: string, flags: MeasureFlags) => runMeasure(oldFile, newFile, flags, out));
}
