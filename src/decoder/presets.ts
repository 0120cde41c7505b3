// Shapes of the locally generated decoders. Timing depends on shape, not on weights, so the weights are random; each
// preset but `tiny` is shaped exactly like a public model (its published config.json is cited), so "cold 5.1 s on
// smollm2-135m" is what that model costs on this CPU. The one home of the preset list: the CLI, the extension's
// settings and package.json's enum (checked by a test) read it.

/** Bumped whenever the generated graph or weights change: cached models with another version are regenerated. */
export const GENERATOR_VERSION = 4;

export type PresetName = 'tiny' | 'smollm2-135m' | 'smollm2-360m' | 'qwen2.5-0.5b';
export const PRESET_NAMES: readonly PresetName[] = ['tiny', 'smollm2-135m', 'smollm2-360m', 'qwen2.5-0.5b'];

export interface DecoderShape {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Inner size of the SwiGLU MLP (gate and up projections). */
  ffn: number;
  /** Longest sequence the model accepts (config.json `max_position_embeddings`). */
  maxPositions: number;
  /** lm_head is the embedding matrix (`tie_word_embeddings`). */
  tiedEmbeddings: boolean;
  /** q/k/v projections have biases (Qwen2's architecture; Llama's `attention_bias: false`). */
  qkvBias: boolean;
  ropeTheta: number;
  rmsEps: number;
}

export interface PresetInfo {
  shape: DecoderShape;
  /** The public model this preset is shaped like, and where its config.json is published. */
  model: string;
  architecture: 'LlamaForCausalLM' | 'Qwen2ForCausalLM' | 'test shape';
  configUrl?: string;
  /** One line for pickers and `--help`. */
  summary: string;
}

export const PRESET_INFO: Readonly<Record<PresetName, PresetInfo>> = {
  // Tests: ~0.17M parameters, < 1 MB on disk. Three layers so the KV-drift test sees a layer 0 and deeper layers;
  // 4 query heads over 2 KV heads exercise shared KV heads; q/k/v biases and a separate lm_head exercise those paths.
  tiny: {
    model: 'tiny (test shape)',
    architecture: 'test shape',
    summary: 'A 0.2M-parameter test shape (not a real model): seconds to generate, for tests and a quick relative figure.',
    shape: {
      vocab: 512, hidden: 64, layers: 3, heads: 4, kvHeads: 2, headDim: 16, ffn: 128,
      maxPositions: 4096, tiedEmbeddings: false, qkvBias: true, ropeTheta: 10000, rmsEps: 1e-5,
    },
  },
  'smollm2-135m': {
    model: 'HuggingFaceTB/SmolLM2-135M',
    architecture: 'LlamaForCausalLM',
    configUrl: 'https://huggingface.co/HuggingFaceTB/SmolLM2-135M/blob/main/config.json',
    summary: 'Shaped like SmolLM2-135M (30 layers × 576, 9/3 heads, 49,152 tokens); 538 MB on disk, asks before writing.',
    shape: {
      vocab: 49152, hidden: 576, layers: 30, heads: 9, kvHeads: 3, headDim: 64, ffn: 1536,
      maxPositions: 8192, tiedEmbeddings: true, qkvBias: false, ropeTheta: 100000, rmsEps: 1e-5,
    },
  },
  'smollm2-360m': {
    model: 'HuggingFaceTB/SmolLM2-360M',
    architecture: 'LlamaForCausalLM',
    configUrl: 'https://huggingface.co/HuggingFaceTB/SmolLM2-360M/blob/main/config.json',
    summary: 'Shaped like SmolLM2-360M (32 layers × 960, 15/5 heads, 49,152 tokens); 1.45 GB on disk, asks before writing.',
    shape: {
      vocab: 49152, hidden: 960, layers: 32, heads: 15, kvHeads: 5, headDim: 64, ffn: 2560,
      maxPositions: 8192, tiedEmbeddings: true, qkvBias: false, ropeTheta: 100000, rmsEps: 1e-5,
    },
  },
  'qwen2.5-0.5b': {
    model: 'Qwen/Qwen2.5-0.5B',
    architecture: 'Qwen2ForCausalLM',
    configUrl: 'https://huggingface.co/Qwen/Qwen2.5-0.5B/blob/main/config.json',
    summary: 'Shaped like Qwen2.5-0.5B (24 layers × 896, 14/2 heads, q/k/v biases, 151,936 tokens); 1.98 GB on disk, asks before writing.',
    shape: {
      vocab: 151936, hidden: 896, layers: 24, heads: 14, kvHeads: 2, headDim: 64, ffn: 4864,
      maxPositions: 32768, tiedEmbeddings: true, qkvBias: true, ropeTheta: 1000000, rmsEps: 1e-6,
    },
  },
};

export const PRESETS: Readonly<Record<PresetName, DecoderShape>> = Object.fromEntries(
  PRESET_NAMES.map((n) => [n, PRESET_INFO[n].shape]),
) as Record<PresetName, DecoderShape>;

export function isPresetName(s: string): s is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(s);
}

/** Weights of one decoder layer (attention with optional q/k/v biases, SwiGLU MLP, two RMSNorm scales). */
function layerParams(s: DecoderShape): number {
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const attn = s.hidden * q * 2 + s.hidden * kv * 2 + (s.qkvBias ? q + 2 * kv : 0);
  return attn + 3 * s.hidden * s.ffn + 2 * s.hidden;
}

/** Parameters as Hugging Face counts them (tied embeddings once). */
export function parameterCount(s: DecoderShape): number {
  const embed = s.vocab * s.hidden;
  return embed + (s.tiedEmbeddings ? 0 : embed) + s.layers * layerParams(s) + s.hidden;
}

/** Weights applied to every token in the layers (everything except the embedding lookup and lm_head). */
export function perTokenMatmulParams(s: DecoderShape): number {
  return s.layers * (s.hidden * s.heads * s.headDim * 2 + s.hidden * s.kvHeads * s.headDim * 2 + 3 * s.hidden * s.ffn);
}

/** Which positions get logits: an Optimum export computes them at every position; a lean graph at the last only. */
export type LogitsAt = 'all' | 'last';

export interface FlopBreakdown {
  /** Projections and MLP of every layer: 2 FLOPs per weight per token. */
  layers: number;
  /** QKᵀ and PV over each token's causal context. */
  attention: number;
  lmHead: number;
  total: number;
}

/**
 * Floating-point operations of prefilling tokens [past, past + n) with `past` tokens cached. Elementwise work (norms,
 * RoPE, softmax) is left out: it is < 2% at these shapes and memory-bound anyway.
 */
export function prefillFlopBreakdown(s: DecoderShape, past: number, n: number, logits: LogitsAt = 'all'): FlopBreakdown {
  const layers = 2 * perTokenMatmulParams(s) * n;
  // Σ_{i=past+1}^{past+n} i context positions, each costing 2·headDim FLOPs for QKᵀ and 2·headDim for PV per head.
  const contextSum = n * past + (n * (n + 1)) / 2;
  const attention = 4 * s.layers * s.heads * s.headDim * contextSum;
  const lmHead = 2 * s.hidden * s.vocab * (logits === 'all' ? n : Math.min(1, n));
  return { layers, attention, lmHead, total: layers + attention + lmHead };
}

export function prefillFlops(s: DecoderShape, past: number, n: number, logits: LogitsAt = 'all'): number {
  return prefillFlopBreakdown(s, past, n, logits).total;
}

/** Cold / warm FLOP ratio: the speedup a cached prefix can give when time follows the arithmetic. */
export function expectedSpeedup(s: DecoderShape, tokens: number, reusablePrefix: number, logits: LogitsAt = 'all'): number {
  const warm = prefillFlops(s, reusablePrefix, tokens - reusablePrefix, logits);
  return warm > 0 ? prefillFlops(s, 0, tokens, logits) / warm : 1;
}
