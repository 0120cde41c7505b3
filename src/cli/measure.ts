// `prompt-cache-audit measure <old> <new>`: the audit's divergence plus a real measurement on a local cached decoder
// (cold prefill of the new version vs the recomputed tokens continuing from the cached prefix).
import { formatCount, formatMs, formatPercent } from '../core/numbers';
import * as readline from 'node:readline';
import type { Command } from 'commander';
import { auditVersions, type AuditOptions } from '../core/audit';
import type { DiffResult } from '../core/types';
import { DEFAULT_PRESET, DEFAULT_TOKEN_CAP } from '../decoder/defaults';
import type { MeasureProgress, Measurement } from '../decoder/index';
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
}

/** The `measurement` object of `--json` output (documented in docs/decoder.md). */
export interface MeasurementJson {
  preset?: string;
  model?: string;
  tokens: number;
  reusablePrefix: number;
  recomputedTokens: number;
  cold: { medianMs: number; minMs: number; maxMs: number; tokensPerSecond: number; runsMs: number[] };
  warm: { medianMs: number; minMs: number; maxMs: number; tokensPerSecond: number; runsMs: number[] };
  savedMs: number;
  speedup: number;
  threads: number;
  runs: number;
  vocabMapped: boolean;
  scaledFrom?: { tokens: number; reusablePrefix: number };
  notes: string[];
  gpuEstimate: Measurement['gpuEstimate'];
}

export function measurementJson(m: Measurement): MeasurementJson {
  const t = (s: Measurement['cold']) => ({ medianMs: s.medianMs, minMs: s.minMs, maxMs: s.maxMs, tokensPerSecond: s.tokensPerSecond, runsMs: s.runsMs });
  return {
    ...(m.model.kind === 'preset' ? { preset: m.model.name } : { model: m.model.name }),
    tokens: m.tokens,
    reusablePrefix: m.reusablePrefix,
    recomputedTokens: m.recomputedTokens,
    cold: t(m.cold),
    warm: t(m.warm),
    savedMs: m.savedMs,
    speedup: m.speedup,
    threads: m.threads,
    runs: m.runs,
    vocabMapped: m.vocabMapped,
    ...(m.scaledFrom ? { scaledFrom: m.scaledFrom } : {}),
    notes: m.notes,
    gpuEstimate: m.gpuEstimate,
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
  out.push(`Local decoder: ${shape}; ${m.threads} thread${m.threads === 1 ? '' : 's'}, ${m.runs} timed runs after a warm-up`);
  out.push('');
  const rows = [[st.bold('prefill'), st.bold('tokens'), st.bold('median'), st.bold('min'), st.bold('max'), st.bold('tokens/s')]];
  rows.push(['cold (no cache)', int(m.tokens), ms(m.cold.medianMs), ms(m.cold.minMs), ms(m.cold.maxMs), int(m.cold.tokensPerSecond)]);
  rows.push([`cached prefix of ${int(m.reusablePrefix)}`, int(m.recomputedTokens), ms(m.warm.medianMs), ms(m.warm.minMs), ms(m.warm.maxMs), int(m.warm.tokensPerSecond)]);
  out.push(table(rows));
  out.push(`${st.green('saved')} ${ms(m.savedMs)} per request (${m.speedup.toFixed(1)}× faster with the cache)`);
  for (const n of m.notes) out.push(st.yellow(`note: ${n}`));
  out.push('');
  const g = m.gpuEstimate;
  out.push(`GPU estimate for ${int(m.scaledFrom?.tokens ?? m.tokens)} tokens, ${int(m.scaledFrom?.reusablePrefix ?? r.reusablePrefixTokens)} cached — ${g.source}, interpolated:`);
  const grows = [[st.bold('model'), st.bold('cold'), st.bold('cached'), st.bold('saved'), '']];
  for (const row of g.rows) grows.push([row.model, ms(row.coldMs), ms(row.warmMs), ms(row.savedMs), row.extrapolated ? st.dim('(extrapolated)') : '']);
  out.push(table(grows));
  out.push(st.dim(`method: ${g.method}`));
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
    const what = p.phase === 'generating' ? 'writing the model' : p.phase === 'loading' ? 'loading the model' : p.run ? `${p.phase} run ${p.run}/${p.runs}` : p.phase;
    const frac = p.total ? ` ${Math.round(((p.done ?? 0) / p.total) * 100)}%` : '';
    process.stderr.write(`\r\x1b[2Kmeasuring: ${what}${frac}`);
  };
  let m: Measurement;
  try {
    m = await client.measure({ ids, reusablePrefix: result.reusablePrefixTokens, preset, modelPath: flags.model, cacheDir, runs, threads, tokenCap: tokenCap ?? DEFAULT_TOKEN_CAP }, ac.signal, progress);
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
    out.write(`${JSON.stringify({ ...result, measurement: measurementJson(m) }, null, 2)}\n`);
  } else {
    out.write(`${formatMeasurement(result, m, { old: oldFile, new: newFile }, makeStyle(process.stdout))}\n`);
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
    .option('--runs <n>', 'timed runs per phase after a warm-up (≥ 3)', '3')
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
