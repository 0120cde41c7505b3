// Property tests over the core (fast-check): extraction, tokenization, divergence and lint never throw on
// arbitrary bytes (decoded as UTF-8 with replacement) or arbitrary strings (lone surrogates included), and what they
// return is well-formed. Divergence is symmetric and null for identical inputs; the tokenizer equals tiktoken's
// Rust core and the incremental tokenizer equals a full re-encode after arbitrary edits.
// Runs: PCA_FUZZ_RUNS (default 60 per property; the whole file stays well under 60 s), seed: PCA_FUZZ_SEED (fixed default).
// `node scripts/soak-core.mjs` runs this file with many more runs (SOAK_RUNS).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { get_encoding, type Tiktoken } from 'tiktoken';
import { auditVersions, lintPrompt } from '../../src/core/audit';
import { tokenDivergence } from '../../src/core/divergence';
import { getBpeEncoder, getEncoder, type BpeEncodingName as EncodingName } from '../../src/core/encodings';
import { extractPrompt } from '../../src/core/formats';
import { LineIndex, renderedToSourceOffset, sourceToRenderedOffset } from '../../src/core/text';
import { IncrementalTokenizer } from '../../src/core/tokenizer/incremental';
import type { ExtractedPrompt, LintFinding } from '../../src/core/types';

const RUNS = Math.max(1, Number(process.env.PCA_FUZZ_RUNS) || 60);
// A fixed seed in CI (reproducible; `npm test` does not flip on luck); the soak script passes random ones.
const SEED = process.env.PCA_FUZZ_SEED ? Number(process.env.PCA_FUZZ_SEED) : 20251122;
const params = (scale = 1): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(RUNS * scale)), seed: SEED });

const FILE_NAMES = ['p.prompt.md', 'p.instructions.md', 'p.agent.md', 'p.chatmode.md', 'p.prompty', 'p.j2', 'p.jinja', 'p.hbs', 'p.mustache', 'p.liquid', 'request.json', 'system.md', 'notes.txt', 'noext'];

// Fragments that exercise the parsers' edge cases: template tags, front matter fences, JSON punctuation and keys,
// line endings, BOM, special-token text, VS Code variables, astral characters and lone surrogates.
const FRAGMENTS = [
  '{{', '}}', '{%', '%}', '{#', '#}', '{{-', '-}}', '{{{', '}}}', '{{#if x}}', '{{/if}}', '{% if user %}', '{% endif %}', '{% for m in messages %}', '{% raw %}', '{% endraw %}',
  '{{ now() }}', '{{ user.name }}', '{{ "}}" }}',
  '---', '---\n', '\n---\n', 'name: x\n', 'tools: [a, b\n', ': :', '- ', '"', "'", '`', '```',
  '{', '}', '[', ']', ',', ':', '\\', '\\u', '\\ud800', '"messages"', '"role"', '"system"', '"user"', '"content"', '"tools"', '"cache_control"', '{"type": "ephemeral"}',
  '"input"', '"instructions"', '"model"', 'null', 'true', '1e999', '-0',
  '\n', '\r\n', '\r', '\t', ' ', '  ', '\u00a0', '\u2028', '\u3000', '\uFEFF', '\u200b', '\0',
  '<|endoftext|>', '<|im_start|>', '<|fim_prefix|>', '${input:topic}', '${selection}', '${file}',
  'Hello', 'world', "'s", "n't", '123', '4567', 'ü', 'é', '中文', '😀', '👨‍👩‍👧', '\uD83D', '\uDE00', '\uD800', '\uDFFF', 'a\uD800b',
];

const fragmentText = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((a) => a.join(''));
const bytesText = fc.uint8Array({ maxLength: 300 }).map((b) => new TextDecoder('utf-8', { fatal: false }).decode(b));
const unicodeText = fc.string({ unit: 'binary', maxLength: 120 });
const codeUnitText = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 80 }).map((a) => String.fromCharCode(...a));
const anyText = fc.oneof({ weight: 4, arbitrary: fragmentText }, { weight: 2, arbitrary: bytesText }, { weight: 2, arbitrary: unicodeText }, { weight: 1, arbitrary: codeUnitText });
const fileName = fc.constantFrom(...FILE_NAMES);

/** A well-formed JSON request body built from arbitrary strings, sometimes with a mutation. */
const jsonBody = fc
  .record({
    system: anyText,
    user: anyText,
    tools: fc.array(fc.record({ name: fc.string({ maxLength: 8 }), description: anyText }), { maxLength: 3 }),
    cache: fc.boolean(),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ system, user, tools, cache, cut }) => {
    const body = JSON.stringify(
      {
        model: 'claude-sonnet-4-5',
        system: [{ type: 'text', text: system, ...(cache ? { cache_control: { type: 'ephemeral' } } : {}) }],
        tools: tools.map((t) => ({ name: t.name, description: t.description, input_schema: { type: 'object' } })),
        messages: [{ role: 'user', content: user }],
      },
      null,
      cut !== undefined && cut % 2 ? 2 : undefined,
    );
    return cut === undefined ? body : body.slice(0, cut % (body.length + 1)); // truncated: malformed
  });

// ignoreBOM: keep a leading U+FEFF (TextDecoder strips it by default); lone surrogates become U+FFFD.
const toUtf8RoundTrip = (s: string) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(new TextEncoder().encode(s));

function checkExtracted(p: ExtractedPrompt, source: string): void {
  assert.equal(typeof p.text, 'string');
  // The map covers the rendered text in order without gaps or overlaps.
  let at = 0;
  for (const piece of p.map) {
    assert.equal(piece.renderedStart, at, 'map pieces are contiguous');
    assert.ok(piece.renderedEnd >= piece.renderedStart);
    assert.ok(piece.sourceStart >= 0 && piece.sourceEnd >= piece.sourceStart && piece.sourceEnd <= source.length, `source range ${piece.sourceStart}..${piece.sourceEnd} inside 0..${source.length}`);
    if (piece.exact) assert.equal(p.text.slice(piece.renderedStart, piece.renderedEnd), source.slice(piece.sourceStart, piece.sourceEnd), 'exact pieces are verbatim');
    at = piece.renderedEnd;
  }
  assert.equal(at, p.text.length, 'the map ends at the end of the rendered text');
  for (const pr of p.problems) {
    assert.ok(pr.start >= 0 && pr.start <= pr.end && pr.end <= source.length, `problem range ${pr.start}..${pr.end} (source ${source.length})`);
    assert.ok(pr.message.length > 0 && !pr.message.includes('\n'), 'a one-line problem message');
  }
  for (const s of p.segments) assert.ok(s.start >= 0 && s.start <= s.end && s.end <= p.text.length, `segment ${s.name} ${s.start}..${s.end}`);
  if (p.firstVariableOffset !== null) assert.ok(p.firstVariableOffset >= 0 && p.firstVariableOffset <= p.text.length);
  for (const b of [...p.breakpoints, ...p.blocks, ...(p.hardBoundaries ?? [])]) assert.ok(b >= 0 && b <= p.text.length, `boundary ${b}`);
  for (const r of [0, p.text.length, p.text.length >> 1]) {
    const o = renderedToSourceOffset(p.map, r, source.length);
    assert.ok(o >= 0 && o <= source.length, `rendered ${r} → source ${o}`);
  }
  for (const s of [0, source.length, source.length >> 1]) {
    const r = sourceToRenderedOffset(p.map, s);
    assert.ok(r === null || (r >= 0 && r <= p.text.length));
  }
}

function checkFindings(findings: LintFinding[], source: string): void {
  const lines = new LineIndex(source);
  for (const f of findings) {
    const { start, end } = f.range;
    assert.ok(start.offset >= 0 && start.offset <= end.offset && end.offset <= source.length, `${f.ruleId}: range ${start.offset}..${end.offset} (source ${source.length})`);
    assert.deepEqual(lines.position(start.offset), start, `${f.ruleId}: start line/column agree with the offset`);
    assert.ok(Number.isFinite(f.tokensAtRisk) && f.tokensAtRisk >= 0, `${f.ruleId}: tokensAtRisk ${f.tokensAtRisk}`);
    assert.ok(f.message.length > 0);
    if (f.fix) {
      const edits = [...f.fix.edits].sort((a, b) => a.range.start.offset - b.range.start.offset);
      let last = 0;
      for (const e of edits) {
        assert.ok(e.range.start.offset >= last && e.range.end.offset >= e.range.start.offset && e.range.end.offset <= source.length, `${f.ruleId}: fix edits inside the source, not overlapping`);
        last = e.range.end.offset;
      }
    }
  }
}

describe('extraction never throws and returns a consistent map', () => {
  test('arbitrary text × every format', () => {
    fc.assert(
      fc.property(anyText, fileName, fc.boolean(), (source, name, raw) => {
        checkExtracted(extractPrompt(source, name, { raw }), source);
      }),
      params(3),
    );
  });

  test('JSON request bodies, well-formed and truncated', () => {
    fc.assert(
      fc.property(jsonBody, (source) => {
        const p = extractPrompt(source, 'request.json');
        checkExtracted(p, source);
        let parses = true;
        try {
          JSON.parse(source);
        } catch {
          parses = false;
        }
        if (!parses) assert.ok(p.problems.some((x) => x.severity === 'error' || x.severity === 'warning'), 'malformed JSON is reported as a problem');
      }),
      params(2),
    );
  });

  test('malformed JSON: the problem points at the parse error', () => {
    const source = '{"system": "Be brief.", "messages": [{"role": "user", "content": "Hi"},, ]}';
    const p = extractPrompt(source, 'request.json');
    assert.ok(p.problems.length >= 1, 'a problem');
    const at = source.indexOf(',,') + 1;
    assert.ok(p.problems.some((x) => Math.abs(x.start - at) <= 2), `a problem near offset ${at}: ${JSON.stringify(p.problems)}`);
  });
});

describe('tokenization never throws and is exact', () => {
  const tik = new Map<EncodingName, Tiktoken>();
  const tiktokenIds = (name: EncodingName, s: string) => {
    let t = tik.get(name);
    if (!t) tik.set(name, (t = get_encoding(name)));
    return Array.from(t.encode(s, [], []));
  };

  for (const name of ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'] as const) {
    test(`${name}: ids equal tiktoken, starts are monotone`, () => {
      const enc = getEncoder(name);
      fc.assert(
        fc.property(anyText, (s) => {
          const t = enc.tokenize(s);
          assert.deepEqual(Array.from(t.ids), tiktokenIds(name, toUtf8RoundTrip(s)), 'ids equal tiktoken on the UTF-8 bytes');
          assert.deepEqual(Array.from(enc.encode(s)), Array.from(t.ids), 'encode and tokenize agree');
          assert.equal(t.starts.length, t.ids.length + 1);
          assert.equal(t.starts[t.ids.length], s.length);
          for (let i = 1; i < t.starts.length; i++) assert.ok(t.starts[i] >= t.starts[i - 1], 'starts never decrease');
        }),
        params(name === 'o200k_base' ? 2 : 0.5),
      );
    });
  }

  test('decode(encode(s)) gives the text back (lone surrogates as U+FFFD, a leading BOM kept)', () => {
    const enc = getEncoder('o200k_base');
    fc.assert(
      fc.property(anyText, (s) => {
        assert.equal(enc.decode(enc.encode(s)), toUtf8RoundTrip(s));
      }),
      params(),
    );
  });

  test('incremental tokenizer equals a full re-encode after arbitrary edits (surrogate splits included)', () => {
    const enc = getBpeEncoder('o200k_base');
    const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 12 }), ins: anyText });
    fc.assert(
      fc.property(anyText, fc.array(edit, { minLength: 1, maxLength: 8 }), (start, edits) => {
        const inc = new IncrementalTokenizer(enc, start);
        let text = start;
        for (const e of edits) {
          const at = text.length ? e.at % (text.length + 1) : 0;
          const del = Math.min(e.del, text.length - at);
          const before = Array.from(inc.ids);
          const r = inc.applyEdit(at, del, e.ins);
          text = text.slice(0, at) + e.ins + text.slice(at + del);
          const full = enc.tokenize(text);
          assert.equal(inc.text, text);
          assert.deepEqual(Array.from(inc.ids), Array.from(full.ids), `ids after edit (${at}, ${del}, ${JSON.stringify(e.ins)})`);
          assert.deepEqual(Array.from(inc.starts), Array.from(full.starts), 'starts after edit');
          let k = 0;
          while (k < before.length && k < full.ids.length && before[k] === full.ids[k]) k++;
          assert.equal(r.firstChangedToken, k, 'firstChangedToken is the common token prefix');
          assert.equal(r.identical, k === before.length && k === full.ids.length);
        }
      }),
      params(2),
    );
  });
});

describe('divergence is symmetric, exact and null for identical inputs', () => {
  const enc = getEncoder('o200k_base');
  const pair = fc.oneof(
    fc.tuple(anyText, anyText),
    // Near-identical pairs: one edit apart, which is what users do.
    fc.tuple(anyText, fc.nat(), fc.nat({ max: 6 }), anyText).map(([a, at, del, ins]): [string, string] => {
      const i = a.length ? at % (a.length + 1) : 0;
      return [a, a.slice(0, i) + ins + a.slice(i + del)];
    }),
  );

  test('tokenDivergence(a, b) and (b, a): same first divergent token and reusable prefix', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const ab = tokenDivergence(a, b, enc);
        const ba = tokenDivergence(b, a, enc);
        assert.equal(ab.firstDivergentToken, ba.firstDivergentToken);
        assert.equal(ab.reusablePrefixTokens, ba.reusablePrefixTokens);
        const same = Array.from(ab.old.ids).join() === Array.from(ab.new.ids).join();
        assert.equal(ab.firstDivergentToken === null, same, 'null exactly when the token sequences are identical');
        if (ab.firstDivergentToken !== null) {
          const k = ab.firstDivergentToken;
          assert.ok(k <= Math.min(ab.old.ids.length, ab.new.ids.length));
          for (let i = 0; i < k; i++) assert.equal(ab.old.ids[i], ab.new.ids[i]);
          assert.ok(k === ab.old.ids.length || k === ab.new.ids.length || ab.old.ids[k] !== ab.new.ids[k], 'token k differs');
          assert.equal(ab.recomputedTokens, ab.new.ids.length - k);
          assert.ok(ab.renderedOffset && ab.renderedOffset.old <= a.length && ab.renderedOffset.new <= b.length);
          assert.deepEqual(ab.renderedOffset, { old: ba.renderedOffset!.new, new: ba.renderedOffset!.old }, 'offsets swap');
        } else {
          assert.equal(ab.recomputedTokens, 0);
          assert.equal(ab.reusablePrefixTokens, ab.new.ids.length);
        }
      }),
      params(2),
    );
  });

  test('identical input: null divergence, nothing recomputed, for every format', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, jsonBody), fileName, (s, name) => {
        const { result } = auditVersions(s, s, { fileName: name, encoding: 'o200k_base' });
        assert.equal(result.firstDivergentToken, null);
        assert.equal(result.recomputedTokens, 0);
        assert.equal(result.divergence, null);
        assert.equal(result.reusablePrefixTokens, result.new.tokens);
      }),
      params(),
    );
  });

  test('auditVersions never throws, is symmetric, and reports sane positions and estimates, for every format', () => {
    fc.assert(
      fc.property(pair, fileName, (ab, name) => {
        const [a, b] = ab;
        const x = auditVersions(a, b, { fileName: name, encoding: 'o200k_base' }).result;
        const y = auditVersions(b, a, { fileName: name, encoding: 'o200k_base', lint: false }).result;
        assert.equal(x.firstDivergentToken, y.firstDivergentToken);
        assert.equal(x.reusablePrefixTokens, y.reusablePrefixTokens);
        assert.equal(x.recomputedTokens, x.new.tokens - x.reusablePrefixTokens);
        if (x.divergence) {
          assert.deepEqual(new LineIndex(b).position(x.divergence.offset), { offset: x.divergence.offset, line: x.divergence.line, column: x.divergence.column });
          assert.ok(x.divergence.old.offset >= 0 && x.divergence.old.offset <= a.length);
        }
        for (const p of x.providers) {
          assert.ok(Number.isFinite(p.hitRatio) && p.hitRatio >= 0 && p.hitRatio <= 1, `${p.id}: hitRatio ${p.hitRatio}`);
          assert.ok(p.cachedTokens >= 0 && p.cachedTokens <= x.new.tokens, `${p.id}: cachedTokens ${p.cachedTokens} of ${x.new.tokens}`);
          if (p.costPer1kRequests) for (const v of Object.values(p.costPer1kRequests)) if (typeof v !== 'string') assert.ok(Number.isFinite(v), `${p.id}: cost ${v}`);
        }
        checkFindings(x.findings, b);
      }),
      params(2),
    );
  });
});

describe('lint never throws and returns findings inside the file', () => {
  test('arbitrary text × every format, with and without a previous version', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, jsonBody), fc.option(anyText, { nil: undefined }), fileName, fc.constantFrom('anthropic', 'openai', 'gemini', 'deepseek', 'vllm', 'sglang', 'llamacpp') , (s, prev, name, provider) => {
        checkFindings(lintPrompt(s, { fileName: name, encoding: 'o200k_base', provider }, prev), s);
      }),
      params(2),
    );
  });

  test('applying any offered fix yields text that still audits', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, jsonBody), fileName, (s, name) => {
        for (const f of lintPrompt(s, { fileName: name, encoding: 'o200k_base' })) {
          if (!f.fix) continue;
          const edits = [...f.fix.edits].sort((a, b) => b.range.start.offset - a.range.start.offset);
          let out = s;
          for (const e of edits) out = out.slice(0, e.range.start.offset) + e.newText + out.slice(e.range.end.offset);
          checkFindings(lintPrompt(out, { fileName: name, encoding: 'o200k_base' }), out);
        }
      }),
      params(),
    );
  });
});
