// AGENTS.md "Add a log importer", followed once for real: a test-only format gets an importer (step 1), is offered to
// the reader (step 2: here through ReadOptions.importers instead of importers/index.ts, so the product's list stays
// as shipped), and is checked on a fixture (step 3) — analysis, breaks and the CLI-facing result need nothing else.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { analyzeSession, IMPORTERS, readSessionFile } from '../../src/core/sessions';
import { isObject, isoTime, pushCall, type LogImporter } from '../../src/core/sessions/importer';
import { normalizeUsage } from '../../src/core/sessions/usage';
import { jsonl, tmpDir, write } from './fixtures/sessions/formats';

// Step 1: the importer. A made-up gateway log: {"kind":"llm-call","at":…,"model":…,"body":{…},"tokens":{…}}.
const toyGatewayImporter: LogImporter = {
  id: 'toy-gateway',
  label: 'toy gateway log',
  shape: 'lines',
  sniff: (input) => (input.firstValues.some((v) => isObject(v) && v.kind === 'llm-call') ? 0.9 : 0),
  createReader: (ctx) => ({
    record(v, line) {
      if (!isObject(v) || v.kind !== 'llm-call') return ctx.unknown(isObject(v) ? String(v.kind) : typeof v, line);
      const t = isObject(v.tokens) ? v.tokens : {};
      const body = v.body;
      pushCall(ctx.session, {
        line,
        timestamp: isoTime(v.at),
        model: String(v.model),
        provider: 'openai',
        usage: normalizeUsage({ prompt_tokens: t.in, completion_tokens: t.out, prompt_tokens_details: { cached_tokens: t.cached } }),
        request: body ? { body, text: JSON.stringify(body) } : undefined,
      });
    },
    finish() {},
  }),
};

test('recipe: a new importer is detected from content and its calls get breaks, predictions and totals', async () => {
  const system = 'Policy. '.repeat(900);
  const body = (q: string[]) => ({ model: 'gpt-4o', messages: [{ role: 'system', content: system }, ...q.map((c) => ({ role: 'user', content: c }))] });
  const lines = [
    { kind: 'llm-call', at: '2026-10-09T10:00:00Z', model: 'gpt-4o', body: body(['a']), tokens: { in: 1820, cached: 0, out: 5 } },
    { kind: 'llm-call', at: '2026-10-09T10:00:20Z', model: 'gpt-4o', body: body(['a', 'b']), tokens: { in: 1830, cached: 1792, out: 5 } },
    { kind: 'llm-call', at: '2026-10-09T10:30:00Z', model: 'gpt-4o', body: body(['a', 'b', 'c']), tokens: { in: 1840, cached: 0, out: 5 } },
    { kind: 'heartbeat' },
  ];
  const f = write(tmpDir(), 'gateway.log', jsonl(lines));
  // Step 2: offered to the reader beside the shipped importers.
  const s = await readSessionFile(f, { importers: [...IMPORTERS, toyGatewayImporter] });
  assert.equal(s.source, 'toy-gateway');
  assert.equal(s.calls.length, 3);
  assert.ok(s.problems.some((p) => /unknown record type "heartbeat"/.test(p.message)));
  const a = analyzeSession(s);
  assert.equal(a.calls[1].break, null);
  assert.equal(a.calls[2].break?.cause, 'ttl');
  assert.ok(a.calls.every((c) => c.predicted !== null));
  assert.equal(a.totals.calls, 3);
  // Without it the file is not a format the product reads: the recipe's step 2 is what makes it one.
  assert.match((await readSessionFile(f)).problems[0].message, /not a session log/);
});
