// How a measurement is sampled and summarised: cold and warm runs interleaved (ABBA order, so a drift in machine speed
// hits both alike), repeated until both spreads are small or a time cap is hit, and a verdict on whether the machine
// was busy while we measured. Pure functions; engine.ts runs the sessions, cpuLoad.ts reads the counters.
import type { TimingStats } from './types';

export interface SamplingPlan {
  /** Timed runs per phase before stopping is considered (≥ 3). */
  minRuns: number;
  /** Hard limit of timed runs per phase. */
  maxRuns: number;
  /** Stop once both phases' relative spread (IQR / median) is at or below this. */
  targetSpread: number;
  /** Stop after this much timed work (ms) even if the spread is still large (reported as 'time cap'). */
  timeCapMs: number;
}

export const DEFAULT_PLAN: SamplingPlan = { minRuns: 3, maxRuns: 15, targetSpread: 0.1, timeCapMs: 60_000 };

export type Phase = 'cold' | 'warm';
export type StopReason = 'stable' | 'time cap' | 'max runs';

/** Round r (1-based) runs cold then warm when r is odd, warm then cold when even: ABBA over two rounds. */
export function roundOrder(round: number): [Phase, Phase] {
  return round % 2 === 1 ? ['cold', 'warm'] : ['warm', 'cold'];
}

/** Quantile with linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Interquartile range over the median: 0 for identical runs; a robust, scale-free spread. */
export function relativeSpread(runs: readonly number[]): number {
  const sorted = [...runs].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return median > 0 ? (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / median : 0;
}

export function summarize(runs: readonly number[], tokens: number): TimingStats {
  const sorted = [...runs].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return {
    minMs: sorted[0],
    medianMs: median,
    maxMs: sorted[sorted.length - 1],
    q1Ms: q1,
    q3Ms: q3,
    spread: median > 0 ? (q3 - q1) / median : 0,
    runsMs: [...runs],
    tokensPerSecond: median > 0 ? (tokens * 1000) / median : 0,
  };
}

/** After a completed round: stop, and why; undefined to run another round. */
export function stopReason(cold: readonly number[], warm: readonly number[], timedMs: number, plan: SamplingPlan): StopReason | undefined {
  const n = Math.min(cold.length, warm.length);
  if (n < plan.minRuns) return undefined;
  if (relativeSpread(cold) <= plan.targetSpread && relativeSpread(warm) <= plan.targetSpread) return 'stable';
  if (n >= plan.maxRuns) return 'max runs';
  if (timedMs >= plan.timeCapMs) return 'time cap';
  return undefined;
}

/** Counters read around one timed run (cpuLoad.ts). */
export interface RunCounters {
  wallMs: number;
  /** CPU time of the whole process (all its threads) during the run. */
  cpuMs: number;
  /** Time our threads were runnable but waiting for a CPU (Linux schedstat); undefined where unavailable. */
  waitMs?: number;
}

export interface LoadVerdict {
  underLoad: boolean;
  /** Σ run-queue wait / Σ wall time: the share of the run our threads spent waiting for a CPU (Linux only). */
  runQueueWaitShare?: number;
  /** Σ CPU time / Σ wall time (≈ threads on an idle machine for parallel work; well below 1 when starved). */
  cpuPerWall: number;
  /** 1-minute load average before and after, and the CPU count (0s on Windows). */
  loadAverage: { before: number; after: number; cpus: number };
  /** Why, in words, when underLoad. */
  reason?: string;
}

/** Waiting for a CPU more than this share of the time means the figures include other processes' work. */
export const WAIT_SHARE_LIMIT = 0.1;
/** Without schedstat: less than this much CPU per wall second (one thread) means we were starved. */
export const CPU_PER_WALL_LIMIT = 0.75;

export function loadVerdict(runs: readonly RunCounters[], loadAverage: LoadVerdict['loadAverage']): LoadVerdict {
  const wall = runs.reduce((a, r) => a + r.wallMs, 0);
  const cpu = runs.reduce((a, r) => a + r.cpuMs, 0);
  const cpuPerWall = wall > 0 ? cpu / wall : 0;
  const haveWait = runs.length > 0 && runs.every((r) => r.waitMs !== undefined);
  const waitShare = haveWait && wall > 0 ? runs.reduce((a, r) => a + (r.waitMs ?? 0), 0) / wall : undefined;
  let reason: string | undefined;
  if (waitShare !== undefined) {
    if (waitShare > WAIT_SHARE_LIMIT) reason = `the decoder's threads waited for a CPU ${Math.round(waitShare * 100)}% of the time (other processes were running)`;
  } else if (cpuPerWall < CPU_PER_WALL_LIMIT) {
    reason = `the decoder got ${cpuPerWall.toFixed(2)} CPU-seconds per second (other processes were running)`;
  }
  return { underLoad: reason !== undefined, runQueueWaitShare: waitShare, cpuPerWall, loadAverage, reason };
}
