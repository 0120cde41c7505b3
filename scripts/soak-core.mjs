#!/usr/bin/env node
// Long soak of the core's property tests (test/unit/reliability-fuzz.test.ts): the same properties with many more
// runs, repeated over several seeds. Usage:
//   SOAK_RUNS=5000 SOAK_ROUNDS=3 node scripts/soak-core.mjs     (defaults: 2000 runs per property, 1 round)
//   SOAK_SEED=1234 node scripts/soak-core.mjs                   (reproduce a failure printed by a previous soak)
// Exits non-zero on the first failing round and prints the seed that reproduces it.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Math.max(1, Number(process.env.SOAK_RUNS) || 2000);
const rounds = Math.max(1, Number(process.env.SOAK_ROUNDS) || 1);
const fixedSeed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : undefined;
const tsx = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');

for (let round = 1; round <= rounds; round++) {
  const seed = fixedSeed ?? ((Date.now() ^ (Math.random() * 0x7fffffff)) | 0);
  process.stdout.write(`soak round ${round}/${rounds}: ${runs} runs per property, seed ${seed}\n`);
  const t0 = performance.now();
  const r = spawnSync(tsx, ['--test', '--test-reporter=spec', '--test-timeout=0', path.join('test', 'unit', 'reliability-fuzz.test.ts')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PCA_FUZZ_RUNS: String(runs), PCA_FUZZ_SEED: String(seed) },
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    process.stderr.write(`soak-core: round ${round} FAILED after ${secs} s; reproduce with SOAK_SEED=${seed} SOAK_RUNS=${runs} node scripts/soak-core.mjs\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`soak round ${round} passed in ${secs} s\n`);
}
