// `prompt-cache-audit measure` on the tiny preset: JSON shape, human table, one-line user errors.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { Command } from 'commander';
import { CliError } from '../../src/cli/io';
import { registerMeasureCommand } from '../../src/cli/measure';
import { ensureModel } from '../../src/decoder/generator';
import { OPTIMUM_LIKE_VARIANT } from '../../src/decoder/graph';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-decoder-cli-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const oldFile = path.join(root, 'old.txt');
const newFile = path.join(root, 'new.txt');
const lines = Array.from({ length: 120 }, (_, i) => `Rule ${i}: answer in plain words.`);
fs.writeFileSync(oldFile, lines.join('\n'));
fs.writeFileSync(newFile, lines.map((l, i) => (i === 60 ? 'Rule 60: answer briefly.' : l)).join('\n'));

async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  const chunks: string[] = [];
  registerMeasureCommand(program, { write: (s: string) => chunks.push(s) });
  await program.parseAsync(['node', 'prompt-cache-audit', 'measure', ...args]);
  return chunks.join('');
}

describe('measure subcommand', () => {
  test('--json adds a measurement to the diff', async () => {
    const out = JSON.parse(await run(oldFile, newFile, '--preset', 'tiny', '--raw', '--json', '--threads', '1', '--max-runs', '3', '--token-cap', '2048', '--cache-dir', root));
    assert.ok(out.reusablePrefixTokens > 0);
    const m = out.measurement;
    assert.equal(m.preset, 'tiny');
    assert.equal(m.tokens, out.new.tokens);
    assert.equal(m.recomputedTokens, out.new.tokens - out.reusablePrefixTokens);
    for (const k of ['medianMs', 'minMs', 'maxMs', 'q1Ms', 'q3Ms', 'spread']) {
      assert.equal(typeof m.cold[k], 'number');
      assert.equal(typeof m.warm[k], 'number');
    }
    assert.equal(typeof m.savedMs, 'number');
    assert.equal(m.threads, 1);
    assert.equal(m.gpuEstimate.rows.length, 3);
    assert.match(m.gpuEstimate.source, /H100/);
    assert.match(m.gpuEstimate.regime, /eager PyTorch/);
    assert.equal(typeof m.expectedSpeedup, 'number');
    assert.ok(m.runs >= 3 && m.cold.runsMs.length === m.runs && m.warm.runsMs.length === m.runs);
    assert.ok(['stable', 'time cap', 'max runs'].includes(m.stopReason));
    assert.equal(typeof m.load.underLoad, 'boolean');
  });

  test('--drift --json adds the KV drift map, aligned by token identity', async () => {
    const out = JSON.parse(await run(oldFile, newFile, '--preset', 'tiny', '--raw', '--json', '--drift', '--threads', '1', '--max-runs', '3', '--token-cap', '2048', '--cache-dir', root));
    const k = out.kvDrift;
    assert.equal(k.layers, 3);
    assert.equal(k.divergenceIndex, out.firstDivergentToken);
    assert.equal(k.key.length, 3);
    assert.equal(k.value[0].length, k.positions);
    assert.equal(k.aligned.length, k.positions);
    // The edit replaces a few tokens: those are null (no counterpart); the unchanged tail's layer-0 values are 0.
    const tail = k.aligned.map((o: number | null, i: number) => (o === null ? -1 : i)).filter((i: number) => i >= 0);
    assert.ok(tail.length > 100 && tail.length < k.positions);
    for (const i of tail) assert.equal(k.value[0][i], 0);
    assert.equal(k.key[0][0], null);
  });

  test('human output is a table with the GPU estimate', async () => {
    const out = await run(oldFile, newFile, '--preset', 'tiny', '--raw', '--threads', '1', '--max-runs', '3', '--cache-dir', root);
    assert.match(out, /cold \(no cache\)/);
    assert.match(out, /cached prefix of/);
    assert.match(out, /IQR/);
    assert.match(out, /the FLOP count allows \d+\.\d×/);
    assert.match(out, /eager PyTorch/);
    assert.match(out, /GPU estimate/);
    assert.match(out, /llama-3\.1-8b/);
  });

  test('--model runs a user-supplied Optimum-layout file', async () => {
    const m = await ensureModel({ preset: 'tiny', cacheDir: path.join(root, 'user'), variant: OPTIMUM_LIKE_VARIANT });
    const out = JSON.parse(await run(oldFile, newFile, '--model', m.modelPath, '--raw', '--json', '--threads', '1', '--max-runs', '3', '--token-cap', '2048'));
    assert.equal(out.measurement.model, m.modelPath);
    assert.equal(out.measurement.preset, undefined);
    assert.equal(out.measurement.recomputedTokens, out.recomputedTokens);
  });

  test('user errors are one clear line', async () => {
    await assert.rejects(run(oldFile, newFile, '--preset', 'huge'), (e: unknown) => e instanceof CliError && /unknown preset "huge"/.test(e.message));
    await assert.rejects(run(oldFile, newFile, '--model', path.join(root, 'none.onnx')), (e: unknown) => e instanceof CliError && /not found/.test(e.message));
    await assert.rejects(run(oldFile, newFile, '--model', oldFile, '--cache-dir', root), (e: unknown) => e instanceof CliError && /not an ONNX model/.test(e.message));
    await assert.rejects(run(oldFile, newFile, '--runs', '1'), (e: unknown) => e instanceof CliError && e.exitCode === 2);
    // A large model is not written without --yes when nobody can be asked.
    await assert.rejects(
      run(oldFile, newFile, '--preset', 'smollm2-135m', '--raw', '--cache-dir', path.join(root, 'big')),
      (e: unknown) => e instanceof CliError && /--yes/.test(e.message),
    );
    assert.equal(fs.existsSync(path.join(root, 'big', 'models')), false);
  });
});
