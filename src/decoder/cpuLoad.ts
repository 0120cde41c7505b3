// Counters that tell a quiet measurement from one taken while other processes compete for the CPU: process CPU time
// (all threads, including ONNX Runtime's pool) and, on Linux, the time our threads sat runnable on a run queue
// (/proc/self/task/*/schedstat, field 2, ns). A thread that exited between two reads drops out of the sum, so the
// delta is clamped at 0.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { RunCounters } from './timing';

/** Σ run-queue wait of this process's threads in ms, or undefined where schedstat is unavailable. */
export function runQueueWaitMs(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    let ns = 0;
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const fields = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/);
      const wait = Number(fields[1]);
      if (Number.isFinite(wait)) ns += wait;
    }
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

export function cpuTimeMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Times `fn` with wall clock, CPU time and run-queue wait. */
export async function timed(fn: () => Promise<unknown>): Promise<RunCounters> {
  const w0 = runQueueWaitMs();
  const c0 = cpuTimeMs();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const cpuMs = cpuTimeMs() - c0;
  const w1 = runQueueWaitMs();
  return { wallMs, cpuMs, waitMs: w0 === undefined || w1 === undefined ? undefined : Math.max(0, w1 - w0) };
}

export function loadAverage1m(): number {
  return os.loadavg()[0];
}
