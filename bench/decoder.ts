// Benchmark of the local cached decoder: for each preset at 512 and 2048 tokens, cold prefill vs continuing from a
// cached prefix (7/8 of the prompt cached), ms per token, achieved GFLOP/s, and that as a ratio of a plain ONNX MatMul
// of the model's main matrix shape ([tokens, hidden] × [hidden, ffn]) timed in the same run on the same threads.
// Figures only; it never fails on timing. Usage: npm run bench:decoder [-- --cache-dir DIR --threads N --presets a,b]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { defaultThreads, disableOrtTelemetry } from '../src/decoder/defaults';
import { DecoderPool, runMeasure } from '../src/decoder/engine';
import { defaultCacheDir, fillUniform } from '../src/decoder/generator';
import { PRESETS, PRESET_NAMES, prefillFlops, type PresetName } from '../src/decoder/presets';
import { sessionOptions } from '../src/decoder/runner';

const LENGTHS = [512, 2048];
const RUNS = 3;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A one-node ONNX model y = x · W with W [k, n] as an initializer. */
function matmulModel(k: number, n: number): Uint8Array {
  const w = new Float32Array(k * n);
  fillUniform(w, 0.02, 1, 0);
  const T = onnx.TensorProto.DataType;
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'matmul',
      node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dataType: T.FLOAT, dims: [k, n], rawData: new Uint8Array(w.buffer) }],
      input: [{ name: 'x', type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'm' }, { dimValue: k }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'm' }, { dimValue: n }] } } } }],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

async function timeMatmul(m: number, k: number, n: number, threads: number): Promise<{ medianMs: number; gflops: number }> {
  const session = await ort.InferenceSession.create(matmulModel(k, n), sessionOptions(threads));
  const x = new Float32Array(m * k);
  fillUniform(x, 1, 2, 0);
  const feeds = { x: new ort.Tensor('float32', x, [m, k]) };
  await session.run(feeds);
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  }
  await session.release();
  times.sort((a, b) => a - b);
  const medianMs = times[2];
  return { medianMs, gflops: (2 * m * k * n) / (medianMs * 1e6) };
}

interface Row {
  preset: PresetName;
  tokens: number;
  reusablePrefix: number;
  recomputedTokens: number;
  coldMedianMs: number;
  coldMinMs: number;
  warmMedianMs: number;
  warmMinMs: number;
  coldMsPerToken: number;
  warmMsPerToken: number;
  speedup: number;
  coldGflops: number;
  warmGflops: number;
  matmul: { shape: [number, number, number]; medianMs: number; gflops: number };
  coldVsMatmul: number;
  warmVsMatmul: number;
}

async function main(): Promise<void> {
  disableOrtTelemetry();
  const cacheDir = arg('--cache-dir') ?? defaultCacheDir();
  const threads = Number(arg('--threads') ?? defaultThreads());
  const presets = (arg('--presets')?.split(',') ?? [...PRESET_NAMES]) as PresetName[];
  const pool = new DecoderPool();
  const rows: Row[] = [];
  // Shared machines distort timings: record the load so a reader can tell a quiet run from a busy one.
  const loadBefore = os.loadavg()[0];
  const t0 = performance.now();
  console.log(`decoder bench: ${presets.join(', ')} at ${LENGTHS.join(' and ')} tokens, ${threads} thread(s), ${RUNS} runs after a warm-up; models in ${cacheDir}`);
  for (const preset of presets) {
    const s = PRESETS[preset];
    for (const n of LENGTHS) {
      const p = n - n / 8;
      const ids = Array.from({ length: n }, (_, i) => (i * 7919 + 13) % s.vocab);
      const m = await runMeasure(pool, { ids, reusablePrefix: p, preset, cacheDir, runs: RUNS, threads, tokenCap: n }, {
        onProgress: (pr) => { if (pr.phase === 'generating') process.stdout.write(`  ${preset}: preparing the model…\n`); },
      });
      const coldFlops = prefillFlops(s, 0, n);
      const warmFlops = prefillFlops(s, p, n - p);
      const coldGflops = coldFlops / (m.cold.medianMs * 1e6);
      const warmGflops = warmFlops / (m.warm.medianMs * 1e6);
      const mm = await timeMatmul(n, s.hidden, s.ffn, threads);
      rows.push({
        preset, tokens: n, reusablePrefix: p, recomputedTokens: n - p,
        coldMedianMs: m.cold.medianMs, coldMinMs: m.cold.minMs, warmMedianMs: m.warm.medianMs, warmMinMs: m.warm.minMs,
        coldMsPerToken: m.cold.medianMs / n, warmMsPerToken: m.warm.medianMs / (n - p), speedup: m.speedup,
        coldGflops, warmGflops,
        matmul: { shape: [n, s.hidden, s.ffn], medianMs: mm.medianMs, gflops: mm.gflops },
        coldVsMatmul: coldGflops / mm.gflops, warmVsMatmul: warmGflops / mm.gflops,
      });
      const r = rows[rows.length - 1];
      console.log(`  ${preset} ${n}: cold ${r.coldMedianMs.toFixed(1)} ms, warm ${r.warmMedianMs.toFixed(1)} ms (${r.speedup.toFixed(1)}×)`);
    }
  }
  await pool.dispose();
  const f = (x: number, d = 1) => x.toFixed(d);
  const header = ['preset', 'tokens', 'cached', 'cold ms', 'warm ms', 'speedup', 'cold ms/tok', 'warm ms/tok', 'cold GFLOP/s', 'warm GFLOP/s', 'MatMul GFLOP/s', 'cold/MatMul', 'warm/MatMul'];
  const body = rows.map((r) => [
    r.preset, String(r.tokens), String(r.reusablePrefix), f(r.coldMedianMs), f(r.warmMedianMs), `${f(r.speedup)}×`, f(r.coldMsPerToken, 3), f(r.warmMsPerToken, 3),
    f(r.coldGflops), f(r.warmGflops), f(r.matmul.gflops), f(r.coldVsMatmul, 2), f(r.warmVsMatmul, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${body.map(line).join('\n')}`);
  const totalS = (performance.now() - t0) / 1000;
  console.log(`\nmedian of ${RUNS} runs; prefill in chunks of 256 tokens; warm = the last ${LENGTHS.map((n) => n / 8).join('/')} tokens after a cached prefix; total ${totalS.toFixed(0)} s; 1-min load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
  const out = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, platform: `${process.platform}-${process.arch}`, node: process.version, onnxruntime: ort.env.versions.common },
    threads,
    runs: RUNS,
    loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
    note: 'GFLOP/s counts 2 FLOPs per weight per token plus causal attention (QKᵀ and PV) plus the last-position lm_head; MatMul is [tokens, hidden] × [hidden, ffn] on the same threads in the same run.',
    rows,
    totalSeconds: totalS,
  };
  const file = path.join(process.cwd(), 'bench', 'decoder-results.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
