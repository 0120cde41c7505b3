// Builds the ONNX graph of a Llama/Qwen2 decoder the way Hugging Face Optimum's exporter writes it
// (`optimum-cli export onnx --task text-generation-with-past`: torch.onnx tracing transformers' LlamaForCausalLM /
// Qwen2ForCausalLM at opset 14 with SDPA attention), so a generated preset times like the real model exported by a user.
// Pure: returns the ModelProto and the list of weights; generator.ts streams the weights to the external-data file.
//
// Node sequence per layer, as torch.onnx emits it for transformers' modules:
//   RMSNorm      Cast → Pow(2) → ReduceMean(−1) → Add(eps) → Sqrt → Div(1, ·) → Mul → Cast → Mul(weight)
//   projections  MatMul (+ Add bias for Qwen2's q/k/v) → Reshape [B,S,−1,D] → Transpose [B,H,S,D]
//   RoPE         (once) inv_freq ⊗ position_ids: Expand, Cast, MatMul, Transpose, Concat, Cos/Sin, Mul(scaling)
//                (per layer) Unsqueeze(cos, 1); q·cos + rotate_half(q)·sin with rotate_half = Slice, Slice, Neg, Concat
//   KV cache     Concat(past, new, axis 2) → present.{i}.key|value (K after RoPE, V as projected)
//   shared heads repeat_kv: Unsqueeze(2) → Expand → Reshape [B,H,T,D]
//   SDPA         Mul(q, √scale), Transpose(K), Mul(Kᵀ, √scale), MatMul, Add(mask), Softmax, MatMul
//   MLP          MatMul(gate) → Sigmoid → Mul (SiLU) → Mul(MatMul(up)) → MatMul(down)
//   lm_head      MatMul over every position → logits [B,S,vocab] (tied: the embedding matrix, transposed)
// `GraphVariant` can swap in the lean graph this project used before (GroupQueryAttention, last-position logits) to
// measure the difference (bench/decoder.ts), and the I/O shapes some exports have (no position_ids, merged
// use_cache_branch, float16 KV) to test the user-model path.
import { onnx } from 'onnx-proto';
import type { DecoderShape, LogitsAt } from './presets';

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
const FLOAT32_MIN = -3.4028234663852886e38; // torch.finfo(torch.float32).min, transformers' masked-out score

export type AttentionKind = 'sdpa' | 'gqa';

export interface GraphVariant {
  /** 'sdpa': what Optimum exports (MatMul/Softmax, shared KV heads via Expand); 'gqa': com.microsoft.GroupQueryAttention. */
  attention: AttentionKind;
  /** 'all': logits at every position (Optimum); 'last': the last position only (all a timing needs). */
  logits: LogitsAt;
  /** false: no `position_ids` input; positions come from cumsum(attention_mask) as some exports do. */
  positionIds: boolean;
  /** true: a merged decoder with a `use_cache_branch` bool input choosing between "with past" and "no past". */
  mergedUseCacheBranch: boolean;
  /** KV cache inputs/outputs dtype (computation stays float32: Casts at the graph edge, an I/O test only). */
  kvDtype: 'float32' | 'float16';
}

/** What `optimum-cli export onnx --task text-generation-with-past` writes for these models (fp32). */
export const DEFAULT_VARIANT: GraphVariant = { attention: 'sdpa', logits: 'all', positionIds: true, mergedUseCacheBranch: false, kvDtype: 'float32' };
/** The lean graph of generator version ≤ 3: GroupQueryAttention and last-position logits (for comparison only). */
export const LEAN_VARIANT: GraphVariant = { attention: 'gqa', logits: 'last', positionIds: true, mergedUseCacheBranch: false, kvDtype: 'float32' };
/** Older Optimum exports' I/O (merged decoder, no position_ids) with a float16 cache: tests of the user-model path. */
export const OPTIMUM_LIKE_VARIANT: GraphVariant = { attention: 'sdpa', logits: 'all', positionIds: false, mergedUseCacheBranch: true, kvDtype: 'float16' };

export function variantKey(v: GraphVariant): string {
  return `${v.attention}${v.logits === 'last' ? '-lastlogits' : ''}${v.positionIds ? '' : '-nopos'}${v.mergedUseCacheBranch ? '-merged' : ''}${v.kvDtype === 'float16' ? '-fp16kv' : ''}`;
}

/** A weight stored in the external-data file. `fill` writes its values (random weights or a constant table). */
export interface WeightSpec {
  name: string;
  dims: number[];
  /** Index used to seed the PRNG: the same weight gets the same values in every graph variant. */
  index: number;
  kind: { random: number } | { constant: number };
}

export interface BuiltGraph {
  /** Graph and metadata; each weight's initializer carries placeholder external-data fields filled in by the writer. */
  model: onnx.IModelProto;
  weights: WeightSpec[];
  /** Initializers (same order as `weights`) whose external-data location/offset/length the writer sets. */
  externalInits: onnx.ITensorProto[];
}

class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly inits: onnx.ITensorProto[] = [];
  private counter = 0;

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  op(opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = [], outputs: number | string[] = 1, domain = ''): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType)) : outputs;
    this.nodes.push({ opType, input: inputs, output: outs, attribute: attrs, domain, name: this.fresh(`n_${opType}`) });
    return outs;
  }

  /** Single-output op. */
  o(opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = [], domain = ''): string {
    return this.op(opType, inputs, attrs, 1, domain)[0];
  }

  i64(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('c_i64');
    const buf = Buffer.alloc(8 * values.length);
    values.forEach((v, k) => buf.writeBigInt64LE(BigInt(v), 8 * k));
    this.inits.push({ name, dataType: T.INT64, dims, rawData: buf });
    return name;
  }

  f32(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('c_f32');
    this.inits.push({ name, dataType: T.FLOAT, dims, rawData: Buffer.from(new Float32Array(values).buffer) });
    return name;
  }
}

export const attr = {
  i: (name: string, i: number): onnx.IAttributeProto => ({ name, type: A.INT, i }),
  f: (name: string, f: number): onnx.IAttributeProto => ({ name, type: A.FLOAT, f }),
  ints: (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: A.INTS, ints }),
  g: (name: string, g: onnx.IGraphProto): onnx.IAttributeProto => ({ name, type: A.GRAPH, g }),
};

type Dim = number | string;
function valueInfo(name: string, elemType: number, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function buildDecoderGraph(s: DecoderShape, v: GraphVariant, metadata: Record<string, string>): BuiltGraph {
  if (s.heads % s.kvHeads !== 0) throw new Error('heads must be a multiple of kvHeads');
  if (s.headDim % 2 !== 0) throw new Error('headDim must be even (RoPE rotates halves)');
  const g = new GraphBuilder();
  const weights: WeightSpec[] = [];
  const externalInits: onnx.ITensorProto[] = [];
  const addWeight = (name: string, dims: number[], kind: WeightSpec['kind']): string => {
    const init: onnx.ITensorProto = { name, dataType: T.FLOAT, dims };
    weights.push({ name, dims, index: weights.length, kind });
    externalInits.push(init);
    g.inits.push(init);
    return name;
  };
  // Small uniform weights (std 0.02, as Llama's initializer) keep activations finite through the random network.
  const std = 0.02;
  const kvElem = v.kvDtype === 'float16' ? T.FLOAT16 : T.FLOAT;
  const qDim = s.heads * s.headDim;
  const kvDim = s.kvHeads * s.headDim;
  const half = s.headDim / 2;
  const total = 'past_sequence_length + sequence_length';

  const inputs: onnx.IValueInfoProto[] = [
    valueInfo('input_ids', T.INT64, ['batch_size', 'sequence_length']),
    valueInfo('attention_mask', T.INT64, ['batch_size', total]),
  ];
  if (v.positionIds) inputs.push(valueInfo('position_ids', T.INT64, ['batch_size', 'sequence_length']));
  for (let l = 0; l < s.layers; l++) {
    inputs.push(valueInfo(`past_key_values.${l}.key`, kvElem, ['batch_size', s.kvHeads, 'past_sequence_length', s.headDim]));
    inputs.push(valueInfo(`past_key_values.${l}.value`, kvElem, ['batch_size', s.kvHeads, 'past_sequence_length', s.headDim]));
  }
  if (v.mergedUseCacheBranch) inputs.push(valueInfo('use_cache_branch', T.BOOL, [1]));

  const outputs: onnx.IValueInfoProto[] = [valueInfo('logits', T.FLOAT, ['batch_size', v.logits === 'all' ? 'sequence_length' : 1, s.vocab])];
  for (let l = 0; l < s.layers; l++) {
    outputs.push(valueInfo(`present.${l}.key`, kvElem, ['batch_size', s.kvHeads, total, s.headDim]));
    outputs.push(valueInfo(`present.${l}.value`, kvElem, ['batch_size', s.kvHeads, total, s.headDim]));
  }

  // Weights are declared in a fixed order so that weight index (the PRNG seed) never depends on the variant.
  // Linear weights are stored [in, out]: torch.onnx folds nn.Linear's transpose into the initializer.
  const embed = addWeight('model.embed_tokens.weight', [s.vocab, s.hidden], { random: std });
  const layerW = Array.from({ length: s.layers }, (_, l) => {
    const p = `model.layers.${l}`;
    const bias = (name: string, n: number) => (s.qkvBias ? addWeight(`${p}.self_attn.${name}.bias`, [n], { random: std }) : undefined);
    const inNorm = addWeight(`${p}.input_layernorm.weight`, [s.hidden], { constant: 1 });
    const q = addWeight(`${p}.self_attn.q_proj.weight`, [s.hidden, qDim], { random: std });
    const qb = bias('q_proj', qDim);
    const k = addWeight(`${p}.self_attn.k_proj.weight`, [s.hidden, kvDim], { random: std });
    const kb = bias('k_proj', kvDim);
    const vw = addWeight(`${p}.self_attn.v_proj.weight`, [s.hidden, kvDim], { random: std });
    const vb = bias('v_proj', kvDim);
    return {
      inNorm, q, qb, k, kb, v: vw, vb,
      o: addWeight(`${p}.self_attn.o_proj.weight`, [qDim, s.hidden], { random: std }),
      postNorm: addWeight(`${p}.post_attention_layernorm.weight`, [s.hidden], { constant: 1 }),
      gate: addWeight(`${p}.mlp.gate_proj.weight`, [s.hidden, s.ffn], { random: std }),
      up: addWeight(`${p}.mlp.up_proj.weight`, [s.hidden, s.ffn], { random: std }),
      down: addWeight(`${p}.mlp.down_proj.weight`, [s.ffn, s.hidden], { random: std }),
    };
  });
  const finalNorm = addWeight('model.norm.weight', [s.hidden], { constant: 1 });
  const lmHeadW = s.tiedEmbeddings ? undefined : addWeight('lm_head.weight', [s.hidden, s.vocab], { random: std });

  // --- shared values -------------------------------------------------------------------------------------------
  const c0 = g.i64([0]);
  const c1 = g.i64([1]);
  const shapeIds = g.o('Shape', ['input_ids']);
  const batch = g.o('Slice', [shapeIds, c0, c1, c0]); // [1] = B
  const seqLen = g.o('Slice', [shapeIds, c1, g.i64([2]), c0]); // [1] = S
  const shapeMask = g.o('Shape', ['attention_mask']);
  const totalLen = g.o('Slice', [shapeMask, c1, g.i64([2]), c0]); // [1] = past + S
  const pastLen = g.o('Sub', [totalLen, seqLen]);

  let positions: string;
  if (v.positionIds) {
    positions = 'position_ids';
  } else {
    // Positions from the mask, as exports without position_ids do: cumsum − 1, last S columns, ≥ 0.
    const cums = g.o('CumSum', ['attention_mask', c1]);
    const all = g.o('Sub', [cums, g.i64([1], [])]);
    const last = g.o('Slice', [all, g.o('Neg', [seqLen]), g.i64([Number.MAX_SAFE_INTEGER]), c1]);
    positions = g.o('Max', [last, g.i64([0], [])]);
  }

  // RoPE as transformers' LlamaRotaryEmbedding computes it (once per forward, shared by the layers):
  // freqs = inv_freq[None,:,None] @ position_ids[:,None,:] → [B,S,D/2]; emb = cat(freqs, freqs); cos/sin(emb)·scaling.
  const invFreq = g.f32(Array.from({ length: half }, (_, i) => 1 / Math.pow(s.ropeTheta, (2 * i) / s.headDim)), [1, half, 1]);
  const invExp = g.o('Expand', [invFreq, g.o('Concat', [batch, g.i64([half, 1])], [attr.i('axis', 0)])]); // [B,D/2,1]
  const posF = g.o('Cast', [g.o('Unsqueeze', [positions, c1])], [attr.i('to', T.FLOAT)]); // [B,1,S]
  const freqs = g.o('Transpose', [g.o('MatMul', [invExp, posF])], [attr.ints('perm', [0, 2, 1])]); // [B,S,D/2]
  const emb = g.o('Concat', [freqs, freqs], [attr.i('axis', -1)]); // [B,S,D]
  const scaling = g.f32([1], []); // attention_scaling of the default rope type
  const cosAll = g.o('Cast', [g.o('Mul', [g.o('Cos', [emb]), scaling])], [attr.i('to', T.FLOAT)]);
  const sinAll = g.o('Cast', [g.o('Mul', [g.o('Sin', [emb]), scaling])], [attr.i('to', T.FLOAT)]);

  let seqlensK = '';
  let totalSeq = '';
  let maskAdd = '';
  if (v.attention === 'gqa') {
    // GroupQueryAttention wants int32 seqlens_k = valid tokens − 1 per batch row and int32 scalar total length.
    const valid = g.o('ReduceSum', ['attention_mask', c1], [attr.i('keepdims', 0)]);
    seqlensK = g.o('Cast', [g.o('Sub', [valid, g.i64([1], [])])], [attr.i('to', T.INT32)]);
    totalSeq = g.o('Cast', [g.o('Squeeze', [totalLen, c0])], [attr.i('to', T.INT32)]);
  } else {
    // transformers' 4-D causal mask [B,1,S,T]: key j is visible to query i (cache position past + i) when j ≤ past + i
    // and attention_mask[b, j] = 1; masked scores get float32's minimum.
    const keyIdx = g.o('Range', [g.i64([0], []), g.o('Squeeze', [totalLen, c0]), g.i64([1], [])]);
    const cachePos = g.o('Range', [g.o('Squeeze', [pastLen, c0]), g.o('Squeeze', [totalLen, c0]), g.i64([1], [])]);
    const causal = g.o('Greater', [g.o('Unsqueeze', [keyIdx, c0]), g.o('Unsqueeze', [cachePos, c1])]); // [S,T]
    const pad = g.o('Unsqueeze', [g.o('Equal', ['attention_mask', g.i64([0], [])]), g.i64([1, 2])]); // [B,1,1,T]
    maskAdd = g.o('Where', [g.o('Or', [causal, pad]), g.f32([FLOAT32_MIN], []), g.f32([0], [])]);
  }

  const eps = g.f32([s.rmsEps], []);
  const two = g.f32([2], []);
  const one = g.f32([1], []);
  const toF32 = [attr.i('to', T.FLOAT)];
  const rmsNorm = (x: string, w: string): string => {
    const xf = g.o('Cast', [x], toF32);
    const variance = g.o('ReduceMean', [g.o('Pow', [xf, two])], [attr.ints('axes', [-1]), attr.i('keepdims', 1)]);
    const rsqrt = g.o('Div', [one, g.o('Sqrt', [g.o('Add', [variance, eps])])]);
    return g.o('Mul', [w, g.o('Cast', [g.o('Mul', [xf, rsqrt])], toF32)]);
  };
  const sliceLast = (x: string, from: number, to: number) => g.o('Slice', [x, g.i64([from]), g.i64([to]), g.i64([-1])]);
  const rope = (x: string, cos: string, sin: string): string => {
    const rotated = g.o('Concat', [g.o('Neg', [sliceLast(x, half, Number.MAX_SAFE_INTEGER)]), sliceLast(x, 0, half)], [attr.i('axis', -1)]);
    return g.o('Add', [g.o('Mul', [x, cos]), g.o('Mul', [rotated, sin])]);
  };
  const linear = (x: string, w: string, b?: string) => (b ? g.o('Add', [b, g.o('MatMul', [x, w])]) : g.o('MatMul', [x, w]));
  const toHeads = g.i64([0, 0, -1, s.headDim]); // view(*input_shape, -1, head_dim)
  const perm0213 = [attr.ints('perm', [0, 2, 1, 3])];
  const shapeQ3 = g.i64([0, 0, qDim]);
  const shapeKv3 = g.i64([0, 0, kvDim]);

  // Merged decoders: one If choosing, per past tensor, the fed past (use_cache_branch) or an empty slice of it.
  const pastNames: string[] = [];
  for (let l = 0; l < s.layers; l++) pastNames.push(`past_key_values.${l}.key`, `past_key_values.${l}.value`);
  let pastUsed = pastNames;
  if (v.mergedUseCacheBranch) {
    const thenOut = pastNames.map((n) => `${n}__with_cache`);
    const elseOut = pastNames.map((n) => `${n}__no_cache`);
    const thenBranch: onnx.IGraphProto = {
      name: 'with_past',
      node: pastNames.map((n, k) => ({ opType: 'Identity', input: [n], output: [thenOut[k]], name: `then_${k}` })),
      output: thenOut.map((n) => valueInfo(n, kvElem, ['batch_size', s.kvHeads, 'past_sequence_length', s.headDim])),
    };
    const zeros = { name: 'zero_i64', dataType: T.INT64, dims: [1], rawData: Buffer.alloc(8) };
    const twoI = { name: 'two_i64', dataType: T.INT64, dims: [1], rawData: Buffer.from(new BigInt64Array([2n]).buffer) };
    const elseBranch: onnx.IGraphProto = {
      name: 'without_past',
      initializer: [zeros, twoI],
      node: pastNames.map((n, k) => ({ opType: 'Slice', input: [n, 'zero_i64', 'zero_i64', 'two_i64'], output: [elseOut[k]], name: `else_${k}` })),
      output: elseOut.map((n) => valueInfo(n, kvElem, ['batch_size', s.kvHeads, 0, s.headDim])),
    };
    pastUsed = g.op('If', ['use_cache_branch'], [attr.g('then_branch', thenBranch), attr.g('else_branch', elseBranch)], pastNames.length);
  }

  // --- layers ----------------------------------------------------------------------------------------------------
  let x = g.o('Gather', [embed, 'input_ids'], [attr.i('axis', 0)]);
  const group = s.heads / s.kvHeads;
  const sqrtScale = g.f32([Math.sqrt(1 / Math.sqrt(s.headDim))], []);
  for (let l = 0; l < s.layers; l++) {
    const w = layerW[l];
    const h = rmsNorm(x, w.inNorm);
    const q = linear(h, w.q, w.qb);
    const k = linear(h, w.k, w.kb);
    const vv = linear(h, w.v, w.vb);
    let pastK = pastUsed[2 * l];
    let pastV = pastUsed[2 * l + 1];
    if (v.kvDtype === 'float16') {
      pastK = g.o('Cast', [pastK], toF32);
      pastV = g.o('Cast', [pastV], toF32);
    }
    const presentKName = v.kvDtype === 'float16' ? g.fresh('presentK32') : `present.${l}.key`;
    const presentVName = v.kvDtype === 'float16' ? g.fresh('presentV32') : `present.${l}.value`;
    let attn: string;
    if (v.attention === 'gqa') {
      // [B,S,H,D] layout: cos/sin broadcast over the heads axis (2); GQA takes [B,S,H·D] with RoPE already applied.
      const cos = g.o('Unsqueeze', [cosAll, g.i64([2])]);
      const sin = g.o('Unsqueeze', [sinAll, g.i64([2])]);
      const qr = g.o('Reshape', [rope(g.o('Reshape', [q, toHeads]), cos, sin), shapeQ3]);
      const kr = g.o('Reshape', [rope(g.o('Reshape', [k, toHeads]), cos, sin), shapeKv3]);
      attn = g.op(
        'GroupQueryAttention',
        [qr, kr, vv, pastK, pastV, seqlensK, totalSeq],
        [attr.i('num_heads', s.heads), attr.i('kv_num_heads', s.kvHeads), attr.f('scale', 1 / Math.sqrt(s.headDim))],
        [g.fresh('gqa_out'), presentKName, presentVName],
        'com.microsoft',
      )[0];
    } else {
      const cos = g.o('Unsqueeze', [cosAll, c1]); // apply_rotary_pos_emb's unsqueeze_dim=1: [B,1,S,D]
      const sin = g.o('Unsqueeze', [sinAll, c1]);
      const qh = rope(g.o('Transpose', [g.o('Reshape', [q, toHeads])], perm0213), cos, sin); // [B,H,S,D]
      const kh = rope(g.o('Transpose', [g.o('Reshape', [k, toHeads])], perm0213), cos, sin); // [B,kvH,S,D]
      const vh = g.o('Transpose', [g.o('Reshape', [vv, toHeads])], perm0213);
      g.op('Concat', [pastK, kh], [attr.i('axis', -2)], [presentKName]);
      g.op('Concat', [pastV, vh], [attr.i('axis', -2)], [presentVName]);
      let kAll = presentKName;
      let vAll = presentVName;
      if (group > 1) {
        // repeat_kv: [B,kvH,T,D] → [B,kvH,1,T,D] → expand [B,kvH,g,T,D] → reshape [B,H,T,D].
        const rep = g.i64([1, 1, group, 1, 1]);
        const merged = g.i64([0, s.heads, -1, s.headDim]);
        kAll = g.o('Reshape', [g.o('Expand', [g.o('Unsqueeze', [kAll, g.i64([2])]), rep]), merged]);
        vAll = g.o('Reshape', [g.o('Expand', [g.o('Unsqueeze', [vAll, g.i64([2])]), rep]), merged]);
      }
      // torch.onnx's scaled_dot_product_attention (opset 14): q and Kᵀ each scaled by √scale.
      const kT = g.o('Mul', [g.o('Transpose', [kAll], [attr.ints('perm', [0, 1, 3, 2])]), sqrtScale]);
      const scores = g.o('Add', [g.o('MatMul', [g.o('Mul', [qh, sqrtScale]), kT]), maskAdd]);
      const ctx = g.o('MatMul', [g.o('Softmax', [scores], [attr.i('axis', -1)]), vAll]);
      attn = g.o('Reshape', [g.o('Transpose', [ctx], perm0213), shapeQ3]);
    }
    if (v.kvDtype === 'float16') {
      g.op('Cast', [presentKName], [attr.i('to', T.FLOAT16)], [`present.${l}.key`]);
      g.op('Cast', [presentVName], [attr.i('to', T.FLOAT16)], [`present.${l}.value`]);
    }
    x = g.o('Add', [x, g.o('MatMul', [attn, w.o])]);
    const h2 = rmsNorm(x, w.postNorm);
    const gate = g.o('MatMul', [h2, w.gate]);
    const act = g.o('Mul', [g.o('Mul', [gate, g.o('Sigmoid', [gate])]), g.o('MatMul', [h2, w.up])]);
    x = g.o('Add', [x, g.o('MatMul', [act, w.down])]);
  }

  const finalIn = v.logits === 'last' ? g.o('Gather', [x, g.i64([-1])], [attr.i('axis', 1)]) : x; // [B,1,hidden]
  const normed = rmsNorm(finalIn, finalNorm);
  // Tied: the embedding matrix transposed (ORT folds the Transpose of an initializer once, at load).
  const lmHead = lmHeadW ?? g.o('Transpose', [embed], [attr.ints('perm', [1, 0])]);
  g.op('MatMul', [normed, lmHead], [], ['logits']);

  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'prompt-cache-auditor',
    producerVersion: metadata.generator_version ?? '',
    opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: { name: 'decoder', node: g.nodes, initializer: g.inits, input: inputs, output: outputs },
  };
  return { model, weights, externalInits };
}
