// Shapes of the locally generated decoders. Timing depends on shape, not on weights, so the weights are random;
// the shapes are chosen to resemble real small models (see docs/decoder.md).

/** Bumped whenever the generated graph or weights change: cached models with another version are regenerated. */
export const GENERATOR_VERSION = 3;

export type PresetName = 'tiny' | 'small' | 'gpt2-small';
export const PRESET_NAMES: readonly PresetName[] = ['tiny', 'small', 'gpt2-small'];

export interface DecoderShape {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Inner size of the SwiGLU MLP (gate and up projections). */
  ffn: number;
  /** Length of the RoPE cos/sin table: the longest prompt the model accepts. */
  maxPositions: number;
  /** lm_head shares the embedding matrix (Gemm with transB, so no transposed copy is made). */
  tiedEmbeddings: boolean;
  ropeTheta: number;
  rmsEps: number;
}

export const PRESETS: Readonly<Record<PresetName, DecoderShape>> = {
  // Tests: ~0.1M parameters, < 1 MB on disk. Three layers so the KV-drift test sees a layer 0 and deeper layers;
  // 4 query heads over 2 KV heads exercises grouped-query attention; separate lm_head exercises that path.
  tiny: {
    vocab: 512, hidden: 64, layers: 3, heads: 4, kvHeads: 2, headDim: 16, ffn: 128,
    maxPositions: 4096, tiedEmbeddings: false, ropeTheta: 10000, rmsEps: 1e-5,
  },
  // ~40M parameters: a Llama-style small model (GQA 8/4, SwiGLU) with a 32k vocabulary.
  small: {
    vocab: 32000, hidden: 512, layers: 8, heads: 8, kvHeads: 4, headDim: 64, ffn: 1408,
    maxPositions: 16384, tiedEmbeddings: true, ropeTheta: 10000, rmsEps: 1e-5,
  },
  // ~124M parameters: GPT-2 small's size (12 layers, 768 wide, 12 heads, 50257 vocabulary). SwiGLU with ffn 2048 has
  // the same MLP parameter count as GPT-2's 4×768 GELU MLP.
  'gpt2-small': {
    vocab: 50257, hidden: 768, layers: 12, heads: 12, kvHeads: 12, headDim: 64, ffn: 2048,
    maxPositions: 16384, tiedEmbeddings: true, ropeTheta: 10000, rmsEps: 1e-5,
  },
};

export function isPresetName(s: string): s is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(s);
}

/** Parameters excluding the RoPE table (which is a constant, not a weight). */
export function parameterCount(s: DecoderShape): number {
  const attn = s.hidden * s.heads * s.headDim * 2 + s.hidden * s.kvHeads * s.headDim * 2;
  const mlp = 3 * s.hidden * s.ffn;
  const norms = 2 * s.hidden;
  const embed = s.vocab * s.hidden;
  return embed + (s.tiedEmbeddings ? 0 : embed) + s.layers * (attn + mlp + norms) + s.hidden;
}

/** Weights applied to every token (everything except the embedding lookup and the last-position lm_head). */
export function perTokenMatmulParams(s: DecoderShape): number {
  return s.layers * (s.hidden * s.heads * s.headDim * 2 + s.hidden * s.kvHeads * s.headDim * 2 + 3 * s.hidden * s.ffn);
}

/**
 * Floating-point operations of prefilling tokens [past, past + n) with `past` tokens cached: 2 per weight per token,
 * plus QKᵀ and PV over each token's context (causal), plus the last-position lm_head.
 */
export function prefillFlops(s: DecoderShape, past: number, n: number): number {
  const matmul = 2 * perTokenMatmulParams(s) * n;
  // Σ_{i=past+1}^{past+n} i context positions, each costing 2·headDim FLOPs for QKᵀ and 2·headDim for PV per head.
  const contextSum = n * past + (n * (n + 1)) / 2;
  const attention = 4 * s.layers * s.heads * s.headDim * contextSum;
  const lmHead = 2 * s.hidden * s.vocab;
  return matmul + attention + lmHead;
}
