// Session view figures (run: npx tsx bench/session-view.ts): the time from "audit this log" to the Session tab's data
// for a long generated Claude Code session, through the session worker as the extension runs it, and the CPU the live
// watch costs while the session is idle (fs.watch on the file and its folder, one tail per change; /proc/self/stat
// over 60 s). Figures, no pass/fail.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SessionWorkerClient } from '../src/auditWorker/sessionClient';
import { sessionView } from '../src/view/sessionView';

const CALLS = Number(process.env.CALLS ?? 2000);
const IDLE_S = Number(process.env.IDLE_S ?? 60);

function bigSession(file: string): number {
  let t = Date.parse('2026-11-20T09:00:00.000Z');
  let last: string | null = null;
  let n = 0;
  let read = 0;
  let write = 14_000;
  const out = fs.openSync(file, 'w');
  const line = (type: string, extra: Record<string, unknown>, gap = 2) => {
    t += gap * 1000;
    const uuid = `u${++n}`;
    fs.writeSync(out, `${JSON.stringify({ parentUuid: last, isSidechain: false, userType: 'external', cwd: '/repo', sessionId: 'big', version: '2.0.30', type, uuid, timestamp: new Date(t).toISOString(), ...extra })}\n`);
    last = uuid;
  };
  line('user', { message: { role: 'user', content: 'Refactor the billing module.' } });
  for (let i = 0; i < CALLS; i++) {
    const gap = i % 97 === 96 ? 400 : 3; // an expiry now and then
    if (gap > 300) {
      write += read;
      read = 0;
    }
    line('assistant', { requestId: `r${i}`, message: { model: 'claude-sonnet-4-5', id: `m${i}`, role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'Read', input: { file_path: `src/f${i}.ts` } }], usage: { input_tokens: 3, cache_read_input_tokens: read, cache_creation_input_tokens: write, output_tokens: 40 } } }, gap);
    read += write;
    write = 2000 + (i % 13) * 150;
    line('user', { message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${i}`, content: `export const f${i} = ${JSON.stringify('x'.repeat(9000))};\n` }] } });
  }
  fs.closeSync(out);
  return fs.statSync(file).size;
}

const cpuMs = () => {
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // utime and stime (fields 14 and 15 of the whole line) in clock ticks (100 Hz here).
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-bench-session-'));
  const file = path.join(dir, 'big.jsonl');
  const bytes = bigSession(file);
  const client = new SessionWorkerClient({ workerPath: '', createWorker: () => new Worker(`require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, '..', 'src', 'auditWorker', 'sessionWorker.ts'))});`, { eval: true }) });
  const runs: number[] = [];
  let last: Awaited<ReturnType<SessionWorkerClient['audit']>> | undefined;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    last = await client.audit(file);
    const v = sessionView(last.audit);
    const ms = performance.now() - t0;
    runs.push(ms);
    if (i === 0) console.log(`view-model: ${v.bars.length} bars, ${v.breaks.length} breaks, ${(JSON.stringify(v).length / 1024).toFixed(0)} KB posted to the webview`);
  }
  runs.sort((a, b) => a - b);
  console.log(`big session: ${CALLS} calls, ${(bytes / 2 ** 20).toFixed(1)} MB: audit → view-model min ${runs[0].toFixed(0)} ms, median ${runs[1].toFixed(0)} ms (last: read ${last!.readMs.toFixed(0)} ms, analyse ${last!.analyseMs.toFixed(0)} ms)`);
  const t1 = performance.now();
  const d = await client.diff(file, last!.audit.calls.findIndex((c) => c.break));
  console.log(`request diff of the first break: ${(performance.now() - t1).toFixed(0)} ms (${d.excerpt?.state})`);

  // Live watch, idle: the same watches SessionWatch sets, the worker holding the tail.
  const live = path.join(dir, 'live.jsonl');
  fs.copyFileSync(file, live);
  const t2 = performance.now();
  await client.tail(live);
  console.log(`first tail of the ${(bytes / 2 ** 20).toFixed(1)} MB log: ${(performance.now() - t2).toFixed(0)} ms`);
  let changes = 0;
  const w1 = fs.watch(live, { persistent: false }, () => changes++);
  const w2 = fs.watch(dir, { persistent: false }, () => changes++);
  // Settle first (garbage collection of the audits above), then count: 6 slices of IDLE_S / 6 seconds.
  await new Promise((r) => setTimeout(r, 5000));
  const c0 = cpuMs();
  const wall0 = performance.now();
  const slices: number[] = [];
  for (let i = 0; i < 6; i++) {
    const a = cpuMs();
    await new Promise((r) => setTimeout(r, (IDLE_S * 1000) / 6));
    slices.push(cpuMs() - a);
  }
  const c1 = cpuMs();
  console.log(`idle watch over ${((performance.now() - wall0) / 1000).toFixed(0)} s: ${(c1 - c0).toFixed(0)} ms CPU for the whole process (main + worker threads; slices ${slices.map((x) => x.toFixed(0)).join(', ')} ms), ${changes} change events`);
  // An append: only the new bytes are read.
  const extra = `${JSON.stringify({ parentUuid: null, type: 'assistant', uuid: 'z', timestamp: new Date().toISOString(), requestId: 'rz', message: { model: 'claude-sonnet-4-5', id: 'mz', role: 'assistant', content: [], usage: { input_tokens: 3, cache_read_input_tokens: 5, cache_creation_input_tokens: 0, output_tokens: 1 } } })}\n`;
  fs.appendFileSync(live, extra);
  const t3 = performance.now();
  const r = await client.tail(live);
  console.log(`tail after a ${extra.length}-byte append: ${(performance.now() - t3).toFixed(1)} ms, read ${r.appendedBytes} bytes, ${r.status?.calls} calls`);
  w1.close();
  w2.close();
  await client.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
