// Open models' own tokenizers behind the core's Encoder: ids equal the Hugging Face reference (Rust `tokenizers`,
// the npm package of the same library, a dev dependency) on a varied corpus; token starts and bytes are coherent;
// the audit worker re-tokenizes fully for them (no incremental BPE).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTokenSequence, PiecesSequence } from '../../src/auditWorker/coreBridge';
import { diffVersions } from '../../src/core/audit';
import { getEncoder, MODEL_TOKENIZER_NAMES, modelTokenizerAvailable } from '../../src/core/encodings';
import { tokenizerFilesDir } from '../../src/core/tokenizer/models';
// @ts-expect-error: a plain .mjs module without types
import { modelTokenizerCorpus } from '../../bench/model-tokenizer-corpus.mjs';

const req = createRequire(__filename);
const { Tokenizer: Reference } = req('tokenizers') as { Tokenizer: { fromFile(f: string): { encode(t: string, p: null, o: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }> } } };
const corpus = modelTokenizerCorpus() as string[];

describe('model tokenizers', () => {
  for (const name of MODEL_TOKENIZER_NAMES) {
    it(`${name}: ids equal the Hugging Face reference on ${corpus.length} texts`, async () => {
      assert.ok(modelTokenizerAvailable(name), `${name} tokenizer files are installed (dev dependency)`);
      const enc = getEncoder(name);
      const ref = Reference.fromFile(join(tokenizerFilesDir(name)!, 'tokenizer.json'));
      let mismatches = 0;
      for (const text of corpus) {
        const want = Array.from((await ref.encode(text, null, { addSpecialTokens: false })).getIds());
        const got = Array.from(enc.encode(text));
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          mismatches++;
          assert.deepEqual(got.slice(0, 40), want.slice(0, 40), `first mismatch on ${JSON.stringify(text.slice(0, 60))}`);
        }
      }
      assert.equal(mismatches, 0);
    });

    it(`${name}: token starts are monotone offsets; token bytes add up to the text (NFC-normal text)`, () => {
      const enc = getEncoder(name);
      for (const text of corpus.slice(0, 40)) {
        const { ids, starts } = enc.tokenize(text);
        assert.equal(starts.length, ids.length + 1);
        assert.equal(starts[ids.length], text.length);
        for (let i = 1; i < starts.length; i++) assert.ok(starts[i] >= starts[i - 1] && starts[i] <= text.length);
        if (text === text.normalize('NFC') && !/<\||<start_of_turn>|<bos>|<eos>|<end_of_turn>/.test(text) && !text.includes(String.fromCharCode(0))) {
          const bytes = Array.from(ids).reduce((n, id) => n + enc.tokenBytes(id).length, 0);
          assert.equal(bytes, Buffer.byteLength(text.replace(/\u2581/g, ' '), 'utf8'), JSON.stringify(text.slice(0, 40)));
        }
      }
    });
  }

  it('the audit worker falls back to a full re-tokenization for a model tokenizer', () => {
    const text = 'System: you are helpful.\n\nUser question follows.';
    const seq = createTokenSequence('qwen3', { text });
    assert.ok(seq instanceof PiecesSequence);
    assert.equal(seq.incremental, false);
    assert.deepEqual(Array.from(seq.ids), Array.from(getEncoder('qwen3').encode(text)));
    const edited = text.replace('helpful', 'very helpful');
    const first = (seq as PiecesSequence).update(edited, [], 19, edited.length - 31);
    assert.deepEqual(Array.from(seq.ids), Array.from(getEncoder('qwen3').encode(edited)));
    assert.ok(first <= 6);
  });

  it('a diff for a vLLM-served Qwen model counts with Qwen\'s tokenizer and states no stand-in', () => {
    const r = diffVersions('你好，世界。Hello', '你好，世界。Hello there', { fileName: 'x.txt', provider: 'vllm', model: 'Qwen/Qwen3-8B' });
    assert.equal(r.encoding, 'qwen3');
    assert.equal(r.encodingNote, undefined);
    assert.equal(r.providers[0].tokenizerNote, undefined);
  });
});
