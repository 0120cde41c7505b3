// Extension-host event-loop stall probe, for the end-to-end tests and benchmarks only: it runs when the
// PROMPT_CACHE_HOST_PROBE environment variable names a file, and appends one JSON line per second with the
// longest event-loop delay of that second, and the longest synchronous task of this extension's own (its entry
// points are wrapped in timeHostTask). The e2e run reads the lines of the seconds in which it opened and edited a
// 1 MB prompt: the stall users would feel as a frozen editor, measured in the real extension host, and how much
// of it was ours (the rest is garbage collection, VS Code, other extensions, or the OS giving the CPU elsewhere).
import { appendFile } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface HostProbeSample {
  /** Epoch ms at the end of the second. */
  t: number;
  /** Longest event-loop delay within it, ms (beyond the probe's 10 ms resolution). */
  maxDelayMs: number;
  /** Longest synchronous task of this extension within it, ms, and its name. */
  oursMaxMs: number;
  oursTask?: string;
}

let probing = false;
let oursMaxMs = 0;
let oursTask: string | undefined;

/** Runs `fn`; while the probe is on, records its duration as one of this extension's synchronous tasks. */
export function timeHostTask<T>(name: string, fn: () => T): T {
  if (!probing) return fn();
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    const ms = performance.now() - t0;
    if (ms > oursMaxMs) {
      oursMaxMs = ms;
      oursTask = name;
    }
  }
}

/** Whether the probe is running (tests check "off" without waiting for a line that should not come). */
export function isHostProbeOn(): boolean {
  return probing;
}

/** Starts the probe when asked for by the environment; returns a stop function (a no-op otherwise). */
export function startHostProbe(env: NodeJS.ProcessEnv = process.env): () => void {
  const file = env.PROMPT_CACHE_HOST_PROBE;
  if (!file) return () => {};
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  probing = true;
  const timer = setInterval(() => {
    const sample: HostProbeSample = { t: Date.now(), maxDelayMs: Math.max(0, h.max / 1e6 - 10), oursMaxMs: +oursMaxMs.toFixed(2), oursTask };
    h.reset();
    oursMaxMs = 0;
    oursTask = undefined;
    appendFile(file, `${JSON.stringify(sample)}\n`, () => {});
  }, 1000);
  timer.unref();
  return () => {
    probing = false;
    clearInterval(timer);
    h.disable();
  };
}
