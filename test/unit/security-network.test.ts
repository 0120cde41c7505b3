// No network, no writes into the workspace: the CLI (diff, lint, history, measure) runs in a child process with a
// preload (fixtures/no-network-preload.cjs) that makes every outgoing-connection API throw and records any attempt,
// over a temp copy of the examples turned into a git repository. Afterwards: nothing attempted, only read-only git
// commands ran, not one byte of the workspace changed, and generated models went to the per-user cache dir only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  requireBuilt, diffSnapshots, EXAMPLES, git, gitAvailable, gitEnv, gitSubcommand, makeRepo, NO_NETWORK_PRELOAD, READ_ONLY_GIT,
  readNetLog, runCli, snapshotTree, type RunResult,
} from './fixtures/harness';

requireBuilt();
const skip = gitAvailable() ? false : 'git is not installed';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-security-net-'));
const ws = path.join(tmp, 'workspace');
const home = path.join(tmp, 'home');
const cache = path.join(tmp, 'xdg-cache');
const netLog = path.join(tmp, 'net.log');
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function env(): NodeJS.ProcessEnv {
  return gitEnv({ HOME: home, XDG_CACHE_HOME: cache, XDG_CONFIG_HOME: path.join(home, '.config'), PCA_NET_LOG: netLog, FORCE_COLOR: '0' });
}

async function run(args: string[]): Promise<RunResult> {
  return runCli(args, { cwd: ws, env: env(), nodeArgs: ['--require', NO_NETWORK_PRELOAD], timeoutMs: 120_000 });
}

before(() => {
  if (skip) return;
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(cache, { recursive: true });
  fs.cpSync(EXAMPLES, ws, { recursive: true });
  // Two commits of system-prompt.md (v4 → current) so history and --against have something to read.
  const current = fs.readFileSync(path.join(ws, 'system-prompt.md'), 'utf8');
  const v4 = fs.readFileSync(path.join(ws, 'history/system-prompt.md/v4.md'), 'utf8');
  makeRepo(ws, 'system-prompt.md', [v4, current]);
  git(ws, ['add', '-A']);
  git(ws, ['commit', '-q', '-m', 'examples']);
});

describe('no network and no workspace writes (CLI in a child process)', { skip }, () => {
  let snapshot: Map<string, string>;
  const results: { args: string[]; r: RunResult }[] = [];

  before(async () => {
    if (skip) return;
    snapshot = snapshotTree(ws);
    const runs: string[][] = [
      ['diff', 'history/system-prompt.md/v4.md', 'system-prompt.md'],
      ['diff', 'history/request.json/v2.json', 'request.json', '--json'],
      ['diff', 'history/reply.j2/v1.j2', 'reply.j2', '--sarif'],
      ['lint', '.', '--fail-on', 'none'],
      ['lint', 'system-prompt.md', '--against', 'HEAD~2', '--fail-on', 'none'],
      ['history', 'system-prompt.md'],
      ['history', 'system-prompt.md', '--json'],
      ['rules'],
      ['measure', 'history/system-prompt.md/v4.md', 'system-prompt.md', '--preset', 'tiny', '--threads', '1', '--runs', '3'],
    ];
    for (const args of runs) results.push({ args, r: await run(args) });
  });

  test('every command succeeded', () => {
    for (const { args, r } of results) {
      assert.equal(r.code, 0, `prompt-cache-audit ${args.join(' ')} → exit ${r.code}${r.timedOut ? ' (timed out)' : ''}\n${r.stderr}`);
      assert.ok(r.stdout.length > 0, `${args.join(' ')}: no output`);
    }
  });

  test('the preload was active in every process and thread (the check below is meaningful)', () => {
    const log = readNetLog(netLog);
    const mains = log.filter((e) => e.kind === 'preload' && e.mainThread);
    assert.equal(mains.length, results.length, 'one preloaded main thread per CLI run');
    assert.ok(log.some((e) => e.kind === 'preload' && !e.mainThread), 'the decoder worker thread was preloaded too');
  });

  test('no outgoing connection, DNS lookup, HTTP request or fetch was attempted', () => {
    const attempts = readNetLog(netLog).filter((e) => e.kind !== 'preload' && e.kind !== 'child_process');
    assert.deepEqual(attempts, [], `network attempts: ${JSON.stringify(attempts)}`);
    for (const { args, r } of results) assert.doesNotMatch(r.stderr, /network access blocked/, args.join(' '));
  });

  test('the only child processes are read-only git commands (no hooks, no index writes)', () => {
    const children = readNetLog(netLog).filter((e) => e.kind === 'child_process');
    assert.ok(children.length > 0, 'history and --against ran git');
    for (const c of children) {
      const d = c.detail as { cmd: string; argv: string[] };
      assert.equal(path.basename(d.cmd), 'git', `unexpected child process ${JSON.stringify(d)}`);
      const sub = gitSubcommand(d.argv);
      assert.ok(READ_ONLY_GIT.has(sub), `git ${d.argv.join(' ')}: "${sub}" is not a read-only subcommand`);
    }
  });

  test('not one file of the workspace (or its .git) changed, and no file appeared', () => {
    assert.deepEqual(diffSnapshots(snapshot, snapshotTree(ws)), []);
  });

  test('generated models went to $XDG_CACHE_HOME/prompt-cache-auditor, nothing into $HOME', () => {
    const ours = path.join(cache, 'prompt-cache-auditor');
    assert.ok(fs.existsSync(ours), 'the tiny model was generated into the per-user cache dir');
    const files = snapshotTree(ours);
    assert.ok([...files.keys()].some((f) => f.endsWith('.onnx')), 'an .onnx model in the cache dir');
    assert.deepEqual(fs.readdirSync(home).filter((n) => n !== '.config' || fs.readdirSync(path.join(home, n)).length > 0), [], 'nothing written into $HOME');
  });

  // onnxruntime-node ≥ 1.29 has 1DS telemetry on Linux/macOS: unless ORT_DISABLE_TELEMETRY=1 is set before the
  // runtime initialises, it writes a device id and an event store to $XDG_CACHE_HOME/Microsoft/DeveloperTools and
  // uploads to mobile.events.data.microsoft.com.
  test('nothing else is written into the user cache dir (no ONNX Runtime telemetry store / device id)', () => {
    assert.deepEqual(fs.readdirSync(cache).sort(), ['prompt-cache-auditor']);
  });
});

// Native code (onnxruntime, git) bypasses the JS preload. strace sees every connect(2) of the process tree.
const strace = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('no network from native code (strace connect(2))', { skip: skip || (strace ? false : 'strace is not installed') }, () => {
  // Native uploaders start some seconds after the runtime initialises and a CLI run can end before that: the CLI's
  // main() runs inside fixtures/linger-after-cli.cjs, which then keeps the process alive (LINGER_MS) under strace.
  // Checked by hand: with ORT_DISABLE_TELEMETRY=0 forced, this sees the DNS lookups of the telemetry collector.
  test('measure --preset tiny, then 15 s idle, and history: no inet socket is connected', async () => {
    const traceDir = path.join(tmp, 'strace');
    fs.mkdirSync(traceDir, { recursive: true });
    const cache2 = path.join(tmp, 'xdg-cache-strace');
    const e: NodeJS.ProcessEnv = { ...env(), XDG_CACHE_HOME: cache2, PCA_NET_LOG: '', LINGER_MS: '15000' };
    delete e.ORT_DISABLE_TELEMETRY; // the product must set it itself
    const linger = path.join(__dirname, 'fixtures', 'linger-after-cli.cjs');
    for (const [name, args] of [
      ['measure', ['measure', 'history/system-prompt.md/v4.md', 'system-prompt.md', '--preset', 'tiny', '--threads', '1', '--runs', '3']],
      ['history', ['history', 'system-prompt.md']],
    ] as const) {
      const out = path.join(traceDir, `${name}.trace`);
      const r = await runCli([...args], {
        cwd: ws,
        env: { ...e, LINGER_MS: name === 'measure' ? '15000' : '0' },
        nodeArgs: [linger],
        wrapper: ['strace', '-f', '-qq', '-e', 'trace=connect,sendto,sendmsg', '-o', out],
        timeoutMs: 180_000,
      });
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      const inet = fs.readFileSync(out, 'utf8').split('\n').filter((l) => /AF_INET6?|sin6?_port/.test(l));
      assert.deepEqual(inet, [], `${name}: inet connections attempted`);
      assert.ok(!fs.existsSync(path.join(cache2, 'Microsoft')), `${name}: ONNX Runtime telemetry store created`);
    }
  });
});
