// Defaults shared by the client (no onnxruntime import, so the CLI and extension bundles load without the native
// binding) and the worker.
import * as os from 'node:os';
import type { PresetName } from './presets';

export const DEFAULT_PRESET: PresetName = 'small';
/** Longest prompt measured by default: the small preset needs ~2–3 s per cold run at this length on one core. */
export const DEFAULT_TOKEN_CAP = 4096;
export const DEFAULT_DRIFT_CAP = 2048;
/** Prefill step: bounds activation memory and how long a cancel waits (≈ 0.3 s for gpt2-small on one core). */
export const DEFAULT_CHUNK = 256;
export const MIN_RUNS = 3;

/** Cores − 1 (the caller keeps one), at most 4: more intra-op threads rarely help prefill at these sizes. */
export function defaultThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, cores - 1));
}

/**
 * onnxruntime ≥ 1.29 on Linux/macOS writes a device id and an event store under $XDG_CACHE_HOME/Microsoft/
 * DeveloperTools/.onnxruntime and uploads usage events unless ORT_DISABLE_TELEMETRY is set when its environment is
 * created. Nothing here may phone home, so it is set before the first session (or worker) unless the user chose a
 * value. It must be set on the main thread: a worker's process.env is a private copy that native getenv never sees.
 */
export function disableOrtTelemetry(): void {
  if (process.env.ORT_DISABLE_TELEMETRY === undefined) process.env.ORT_DISABLE_TELEMETRY = '1';
}
