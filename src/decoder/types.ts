// Public request/result types of the local cached decoder (used by the CLI, the extension and the worker protocol).
import type { LogitsAt, PresetName } from './presets';
import type { LoadVerdict, SamplingPlan, StopReason } from './timing';

export type { LoadVerdict, SamplingPlan, StopReason };

export interface ModelSource {
  /** A generated model (default DEFAULT_PRESET); ignored when modelPath is set. */
  preset?: PresetName;
  /** A user's Optimum-exported ONNX decoder with KV cache (decoder_model_merged.onnx, decoder_with_past_model.onnx). */
  modelPath?: string;
}

export interface MeasureRequest extends ModelSource {
  /** Token ids of the new version. Ids ≥ the model's vocabulary are mapped to id % vocab (reported). */
  ids: number[] | Uint32Array;
  /** Tokens served from the cache (DiffResult.reusablePrefixTokens). */
  reusablePrefix: number;
  /** Where generated models are written (extension global storage; CLI: defaultCacheDir()). */
  cacheDir: string;
  /**
   * Least timed runs per phase after one untimed warm-up; at least 3. Cold and warm runs alternate, and more rounds
   * follow until both spreads are ≤ `targetSpread`, or `maxRuns` or `timeCapMs` is reached. Default 3.
   */
  runs?: number;
  /** Most timed runs per phase. Default 15 (at least `runs`). */
  maxRuns?: number;
  /** Relative spread (IQR / median) at which sampling stops early. Default 0.1. */
  targetSpread?: number;
  /** Timed work after which sampling stops even if the spread is still large, ms. Default 60,000. */
  timeCapMs?: number;
  /** Longest prompt measured; longer ones are scaled down keeping the reusable fraction. Default DEFAULT_TOKEN_CAP. */
  tokenCap?: number;
  /** Tokens per prefill step: bounds memory and how long a cancel waits. Default 256. */
  chunkSize?: number;
  /** ORT intra-op threads. Default: available cores − 1, between 1 and 4. */
  threads?: number;
}

export interface KvDriftRequest extends ModelSource {
  oldIds: number[] | Uint32Array;
  newIds: number[] | Uint32Array;
  /** First differing token index (DiffResult.firstDivergentToken). */
  divergenceIndex: number;
  cacheDir: string;
  /**
   * Most tokens fed per version (default 2048). Longer versions are compared on a window around the divergence:
   * up to a quarter of the cap of shared context before it, the rest after it.
   */
  tokenCap?: number;
  chunkSize?: number;
  threads?: number;
}

export interface TimingStats {
  minMs: number;
  medianMs: number;
  maxMs: number;
  /** First and third quartiles of the runs. */
  q1Ms: number;
  q3Ms: number;
  /** (q3 − q1) / median: the relative spread sampling aims to bring below its target. */
  spread: number;
  /** Every timed run, in order. */
  runsMs: number[];
  /** Tokens computed in this phase / median seconds. */
  tokensPerSecond: number;
}

export interface ModelDescription {
  /** Preset name, or the user model's file path. */
  name: string;
  kind: 'preset' | 'user';
  layers: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  kvDtype: 'float32' | 'float16';
  hasPositionIds: boolean;
  mergedUseCacheBranch: boolean;
  /** Known for presets only. */
  parameters?: number;
  heads?: number;
  hidden?: number;
  /** Longest sequence the model accepts (presets: config.json max_position_embeddings). */
  maxPositions?: number;
  /** Presets: the shape's remaining fields, for FLOP counts and RoPE. */
  ffn?: number;
  ropeTheta?: number;
  qkvBias?: boolean;
  tiedEmbeddings?: boolean;
  /** Presets: the public model the shape is copied from and its config.json. */
  shapedLike?: string;
  configUrl?: string;
  /** Presets: which positions get logits (an Optimum export: all). */
  logits?: LogitsAt;
}

export interface GpuEstimateRow {
  model: string;
  /** Modelled cold prefill of all tokens, ms. */
  coldMs: number;
  /** Modelled time for the recomputed tokens with the reusable prefix cached, ms. */
  warmMs: number;
  savedMs: number;
  /** True when N or P lies outside the measured range (figures extrapolated). */
  extrapolated: boolean;
  /** Below the launch floor both figures are ~the same fixed overhead: caching saves little time here. */
  floorBound: boolean;
}

export interface GpuEstimate {
  rows: GpuEstimateRow[];
  /** e.g. "NVIDIA H100 80GB HBM3, bf16, measured 2026-11-22". */
  source: string;
  device: string;
  measured: string;
  /** How the figures were measured (the data file's own words). */
  method: string;
  /** How the estimate is computed from them. */
  model: string;
  /** The regime the data describes, e.g. "eager PyTorch, bf16, H100; ~20 ms launch floor below ~1k tokens". */
  regime: string;
  /** Does caching pay on a GPU, for this edit, in one sentence that stays true at small sizes. */
  verdict: string;
}

export interface Measurement {
  model: ModelDescription;
  /** Tokens actually measured (after the cap). */
  tokens: number;
  reusablePrefix: number;
  recomputedTokens: number;
  /** Set when the prompt was longer than tokenCap: what was asked for. */
  scaledFrom?: { tokens: number; reusablePrefix: number };
  cold: TimingStats;
  warm: TimingStats;
  /** cold.medianMs − warm.medianMs. */
  savedMs: number;
  /** cold.medianMs / warm.medianMs. */
  speedup: number;
  /** Presets: cold FLOPs / warm FLOPs, the speedup the arithmetic allows (layers, causal attention, lm_head). */
  expectedSpeedup?: number;
  /** Presets: FLOPs of one cold and one warm run. */
  flops?: { cold: number; warm: number };
  threads: number;
  /** Timed runs per phase actually taken (cold and warm interleaved). */
  runs: number;
  /** Why sampling stopped: both spreads small, the time cap, or the run limit. */
  stopReason: StopReason;
  sampling: SamplingPlan;
  /** Whether other processes competed for the CPU while we measured (then the figures are inflated and noisier). */
  load: LoadVerdict;
  chunkSize: number;
  vocabMapped: boolean;
  /** Human-readable caveats (vocabulary mapping, scaling, at-least-one-token rule). */
  notes: string[];
  /** For the requested (unscaled) token counts. */
  gpuEstimate: GpuEstimate;
  /** Wall time of the whole measurement including model load, ms. */
  elapsedMs: number;
  /** True when the model file was generated by this call. */
  modelGenerated: boolean;
}

export interface KvDriftLayer {
  layer: number;
  /**
   * Relative L2 change ‖new − old‖ / ‖old‖ of K at each compared position (all KV heads together), against the old
   * position it is aligned with; NaN at edited positions (no counterpart).
   */
  key: number[];
  /** Presets: the same after rotating the old K by the position shift (RoPE), i.e. the change not due to moving. */
  keyUnshifted?: number[];
  value: number[];
  /** Largest finite value of `key` (of `keyUnshifted` when present) and of `value`. */
  maxKey: number;
  maxValue: number;
}

/** How the two versions are lined up: by token identity, not by index. */
export interface KvAlignment {
  /** Tokens equal at the start (= divergenceIndex) and at the end (after the edit) of both versions. */
  commonPrefix: number;
  commonSuffix: number;
  /** New index − old index of every token in the unchanged tail (+k after inserting k tokens). */
  shift: number;
  /** The edited spans [from, to) of each version (empty for a pure insertion or deletion on one side). */
  editedOld: [number, number];
  editedNew: [number, number];
}

export interface KvDrift {
  model: ModelDescription;
  divergenceIndex: number;
  /** New-version positions divergenceIndex … divergenceIndex + positions − 1 are compared (within the window). */
  positions: number;
  /** Per compared position: the old-version index it is compared with, or null for an edited token. */
  aligned: (number | null)[];
  /** Per compared position: aligned to an identical old token (aligned[i] !== null). */
  sameToken: boolean[];
  alignment: KvAlignment;
  /** Token ranges fed to the model: the whole versions, or a window around the divergence past the token cap. */
  window: { oldStart: number; oldEnd: number; newStart: number; newEnd: number; truncated: boolean };
  layers: KvDriftLayer[];
  vocabMapped: boolean;
  notes: string[];
}

export interface MeasureProgress {
  phase: 'generating' | 'loading' | 'warmup' | 'cold' | 'prefix' | 'warm' | 'drift';
  /** 1-based timed run index within the phase, when timing. */
  run?: number;
  runs?: number;
  /** Tokens processed so far in this run/phase and its total. */
  done?: number;
  total?: number;
  /** Share of the whole request done, 0…1, never decreasing (phases alternate; use this for one progress bar). */
  fraction?: number;
}

/** Rejections carry a `code` so callers can tell user errors from internal failures. */
export type DecoderErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'MODEL_IO'
  | 'BAD_REQUEST'
  | 'CANCELLED'
  | 'WORKER_DIED'
  | 'WRITE_DECLINED'
  | 'INTERNAL';

export class DecoderError extends Error {
  constructor(readonly code: DecoderErrorCode, message: string) {
    super(message);
    this.name = 'DecoderError';
  }
}
