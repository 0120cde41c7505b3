// Each preset is shaped exactly like the public model it is named after: the fields of its published config.json
// (transcribed here, with where they were read) map onto the preset's shape one for one, and the parameter count is
// the one Hugging Face reports. package.json's setting enum describes the presets in presets.ts's words.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { PRESET_INFO, PRESET_NAMES, PRESETS, expectedSpeedup, parameterCount, prefillFlopBreakdown, type PresetName } from '../../src/decoder/presets';

interface HfConfig {
  architectures: string[];
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  tie_word_embeddings: boolean;
  rope_theta: number;
  rms_norm_eps: number;
  head_dim?: number;
  attention_bias?: boolean;
}

// Fields of each model's config.json. Read from the published files (URL in PRESET_INFO) as quoted in public copies:
// SmolLM2-135M: the LlamaConfig printed in satyasundar/erav3-s13 README.md and the fields listed in several
// re-implementations; SmolLM2-360M: the config summary (hidden 960, intermediate 2560, 32 layers, 15 heads, 8192
// positions, tied, 361,821,120 parameters) and 15/5 heads, rope_theta 100000 in public ports; Qwen2.5-0.5B: the
// config.json quoted in a model page ("Qwen/Qwen2.5-0.5B ## model config") and the model card (QKV bias, tied).
// Qwen2's architecture has q/k/v biases by construction (Qwen2Attention: bias=True on q/k/v, False on o).
const CONFIGS: Record<Exclude<PresetName, 'tiny'>, { config: HfConfig; hfParameters: number }> = {
  'smollm2-135m': {
    config: {
      architectures: ['LlamaForCausalLM'], vocab_size: 49152, hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9,
      num_key_value_heads: 3, intermediate_size: 1536, max_position_embeddings: 8192, tie_word_embeddings: true,
      rope_theta: 100000, rms_norm_eps: 1e-5, attention_bias: false,
    },
    hfParameters: 134_515_008,
  },
  'smollm2-360m': {
    config: {
      architectures: ['LlamaForCausalLM'], vocab_size: 49152, hidden_size: 960, num_hidden_layers: 32, num_attention_heads: 15,
      num_key_value_heads: 5, intermediate_size: 2560, max_position_embeddings: 8192, tie_word_embeddings: true,
      rope_theta: 100000, rms_norm_eps: 1e-5, attention_bias: false,
    },
    hfParameters: 361_821_120,
  },
  'qwen2.5-0.5b': {
    config: {
      architectures: ['Qwen2ForCausalLM'], vocab_size: 151936, hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14,
      num_key_value_heads: 2, intermediate_size: 4864, max_position_embeddings: 32768, tie_word_embeddings: true,
      rope_theta: 1000000.0, rms_norm_eps: 1e-6,
    },
    // "0.49B (0.36B non-embedding)": 136,134,656 embedding + 357,898,112 other.
    hfParameters: 494_032_768,
  },
};

describe('presets shaped like public models', () => {
  for (const [name, { config: c, hfParameters }] of Object.entries(CONFIGS) as [Exclude<PresetName, 'tiny'>, (typeof CONFIGS)['smollm2-135m']][]) {
    test(`${name} equals ${PRESET_INFO[name].model}'s config.json`, () => {
      const info = PRESET_INFO[name];
      assert.equal(info.architecture, c.architectures[0]);
      assert.match(info.configUrl ?? '', new RegExp(`^https://huggingface\\.co/${info.model.replace('.', '\\.')}/blob/main/config\\.json$`));
      assert.deepEqual(PRESETS[name], {
        vocab: c.vocab_size,
        hidden: c.hidden_size,
        layers: c.num_hidden_layers,
        heads: c.num_attention_heads,
        kvHeads: c.num_key_value_heads,
        headDim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
        ffn: c.intermediate_size,
        maxPositions: c.max_position_embeddings,
        tiedEmbeddings: c.tie_word_embeddings,
        qkvBias: c.architectures[0] === 'Qwen2ForCausalLM' ? true : c.attention_bias === true,
        ropeTheta: c.rope_theta,
        rmsEps: c.rms_norm_eps,
      });
      assert.equal(parameterCount(PRESETS[name]), hfParameters);
    });
  }

  test('package.json lists the presets, in presets.ts\'s words', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    const setting = pkg.contributes.configuration.properties['promptCache.decoder.preset'];
    assert.deepEqual(setting.enum, [...PRESET_NAMES]);
    assert.deepEqual(setting.enumDescriptions, PRESET_NAMES.map((n) => PRESET_INFO[n].summary));
    // The sizes the summaries quote are the data file's (4 bytes per parameter).
    for (const n of PRESET_NAMES.filter((x) => x !== 'tiny')) {
      const quoted = /([\d.]+) (MB|GB) on disk/.exec(PRESET_INFO[n].summary);
      assert.ok(quoted, n);
      const bytes = Number(quoted[1]) * (quoted[2] === 'GB' ? 1e9 : 1e6);
      const actual = 4 * parameterCount(PRESETS[n]);
      assert.ok(Math.abs(bytes - actual) / actual < 0.01, `${n}: quoted ${quoted[0]}, ${actual} bytes`);
    }
  });

  test('FLOP counts: logits at every position, and the speedup a cached prefix allows', () => {
    const s = PRESETS['smollm2-135m'];
    const all = prefillFlopBreakdown(s, 0, 1024, 'all');
    const last = prefillFlopBreakdown(s, 0, 1024, 'last');
    assert.equal(all.layers, last.layers);
    assert.equal(all.lmHead, 2 * 576 * 49152 * 1024);
    assert.equal(last.lmHead, 2 * 576 * 49152);
    // Recomputing 1/8 of a prompt can be at most 8× faster, and less once attention over the cache counts.
    const r = expectedSpeedup(s, 2048, 1792);
    assert.ok(r > 5 && r < 8, `expected ${r}`);
    assert.equal(expectedSpeedup(s, 100, 0), 1);
  });
});
