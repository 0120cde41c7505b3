// Bad input: a truncated last line, an unknown line type, invalid JSON, invalid UTF-8, an oversized line, a 1 GB file,
// a file that is not a log at all, a folder that does not exist — each a clear message naming the file and line, and
// the rest still audited.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { auditSessionFiles, readSessionFile } from '../../src/core/sessions';
import { LineSplitter } from '../../src/core/sessions/lines';
import { ClaudeSessionBuilder } from './fixtures/sessions/claude';
import { tmpDir, write } from './fixtures/sessions/formats';

const dir = tmpDir();

function session(): ClaudeSessionBuilder {
  const b = new ClaudeSessionBuilder('bad');
  b.user('a').assistant([{ type: 'text', text: 'x' }], { input: 3, read: 10000, write: 2000, output: 5 });
  b.user('b').assistant([{ type: 'text', text: 'y' }], { input: 3, read: 12000, write: 300, output: 5 });
  return b;
}

test('truncated last line, invalid JSON line, unknown type, invalid UTF-8: named by line, the rest read', async () => {
  const lines = session().text().trimEnd().split('\n');
  lines.splice(2, 0, '{"type": "user", "message": ', '{"type":"queue-operation","operation":"enqueue"}', '{"type":"mystery"}');
  const text = lines.join('\n') + '\n' + lines[lines.length - 1].slice(0, 40);
  const buf = Buffer.concat([Buffer.from(text.replace('"b"', '"b\u0000"').replace('\u0000', '')), Buffer.from([])]);
  const f = write(dir, 'bad.jsonl', '');
  // An invalid UTF-8 byte inside the second user line's text.
  const idx = buf.indexOf(Buffer.from('"content":"b"'));
  const bad = Buffer.concat([buf.subarray(0, idx + 12), Buffer.from([0xff]), buf.subarray(idx + 12)]);
  fs.writeFileSync(f, bad);
  const s = await readSessionFile(f);
  assert.equal(s.calls.length, 2, 'both calls still read');
  const msg = (re: RegExp) => s.problems.find((p) => re.test(p.message));
  assert.equal(msg(/not valid JSON/)?.line, 3);
  assert.equal(msg(/unknown record type "mystery"/)?.line, 5);
  assert.ok(msg(/last line is cut off/));
  assert.ok(msg(/not valid UTF-8/));
  assert.ok(s.problems.every((p) => p.file === f));
  assert.ok(!s.problems.some((p) => /queue-operation/.test(p.message)), 'known line types are not reported');
});

test('a line longer than the limit is skipped with its size; the lines after it are read', async () => {
  const lines = session().text().trimEnd().split('\n');
  lines.splice(1, 0, JSON.stringify({ type: 'progress', data: 'x'.repeat(5000) }));
  const f = write(dir, 'long.jsonl', lines.join('\n') + '\n');
  const s = await readSessionFile(f, { limits: { maxLineBytes: 1024 } });
  assert.equal(s.calls.length, 2);
  assert.ok(s.problems.some((p) => p.line === 2 && /longer than 1.0 KB/.test(p.message)));
});

test('the line splitter (full read and live tail): lines across chunks, an over-long line skipped by number, the unterminated end', () => {
  const lines: [number, string][] = [];
  const tooLong: [number, number][] = [];
  const sp = new LineSplitter(8, (b, n) => lines.push([n, b.toString('utf8')]), (n, bytes) => tooLong.push([n, bytes]));
  for (const chunk of ['ab', 'c\nde', 'f\n0123456', '789abc\n', '\nxy', 'z']) sp.push(Buffer.from(chunk));
  assert.deepEqual(lines, [[1, 'abc'], [2, 'def'], [4, '']]);
  assert.deepEqual(tooLong, [[3, 13]]);
  assert.equal(sp.end()?.toString('utf8'), 'xyz');
  assert.equal(sp.line, 5);
  assert.equal(sp.end(), null, 'nothing left after the end');
});

test('a 1 GB file: a sparse file of zeros is binary from its head (nothing more is read); a large document is refused', async () => {
  const f = path.join(dir, 'huge.har');
  const fd = fs.openSync(f, 'w');
  fs.ftruncateSync(fd, 1024 * 1024 * 1024);
  fs.closeSync(fd);
  const t0 = Date.now();
  const s = await readSessionFile(f);
  assert.ok(Date.now() - t0 < 5000);
  assert.match(s.problems[0].message, /binary file \(1\.0 GB\)/);
  const doc = write(dir, 'big.har', JSON.stringify({ log: { version: '1.2', entries: [] }, pad: 'x'.repeat(4096) }));
  const s2 = await readSessionFile(doc, { limits: { maxDocumentBytes: 1024 } });
  assert.match(s2.problems[0].message, /larger than the 1\.0 KB a whole-document HAR capture may be/);
  fs.rmSync(f);
});

test('not a log at all, an empty file, a broken document, a missing path', async () => {
  const txt = write(dir, 'notes.json', '{"name": "my-package", "version": "1.0.0"}\n');
  assert.match((await readSessionFile(txt)).problems[0].message, /not a session log or capture this tool reads/);
  assert.match((await readSessionFile(write(dir, 'empty.jsonl', ''))).problems[0].message, /empty file/);
  const broken = write(dir, 'broken.har', '{"log": {"version": "1.2", "entries": [\n  {"request": }\n]}}');
  const b = (await readSessionFile(broken)).problems[0];
  assert.equal(b.line, 2);
  assert.match(b.message, /not valid JSON/);
  const r = await auditSessionFiles([path.join(dir, 'nope'), write(dir, 'ok/s.jsonl', session().text())]);
  assert.equal(r.problems[0].message, 'no such file or folder');
  assert.equal(r.sessions.length, 1);
  assert.equal(r.sessions[0].calls.length, 2);
});
