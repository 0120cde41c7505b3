// Defaults shared by the client (no onnxruntime import, so the CLI and extension bundles load without the native
// binding) and the worker.
import * as os from 'node:os';
import type { PresetName } from './presets';

export const DEFAULT_PRESET: PresetName = 'smollm2-135m';
/** Longest prompt measured by default: smollm2-135m needs ~4 s per cold run at this length on one 2.3 GHz core. */
export const DEFAULT_TOKEN_CAP = 1024;
export const DEFAULT_DRIFT_CAP = 2048;
/** Prefill step: bounds activation memory (logits at every position) and how long a cancel waits (≈ 1 s for smollm2-135m on one core). */
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
