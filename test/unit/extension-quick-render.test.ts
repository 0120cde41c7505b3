// The keystroke path's rendering update (quickRender) on its own: after every random edit, the layout it derives
// from the previous one (sections, first `${…}` variable, map) must equal a fresh extraction by the core, and its
// windowed text searches must equal the native ones. Edits are aimed at what the update must notice: heading and
// fence leads, `${`, `}`, line breaks, the first line of a prompt file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractPrompt, markdownLeadLines } from '../../src/core/formats';
import type { RenderedLayout, TextReader } from '../../src/auditWorker/coreBridge';
import { directRenderedOffset, indexIn, renderedAfterEdit, variableStartBefore } from '../../src/auditWorker/quickRender';

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

/** A reader over a plain string that counts the chars it copies (reads must stay near the edit). */
function reader(text: string, counter = { copied: 0 }): TextReader {
  return {
    length: text.length,
    get text() {
      counter.copied += text.length;
      return text;
    },
    charCodeAt: (i) => (i >= 0 && i < text.length ? text.charCodeAt(i) : NaN),
    textSlice(from, to) {
      const s = text.slice(from, to);
      counter.copied += s.length;
      return s;
    },
  };
}

function layout(text: string, fileName: string): RenderedLayout {
  const { text: _t, placeholders: _p, ...rest } = extractPrompt(text, fileName);
  return rest;
}

test('indexIn equals native searches across read windows', () => {
  const r = rng(3);
  const alphabet = ['a', ' ', '}', '$', '{', '${', '\n', 'é', '😀'];
  for (let n = 0; n < 300; n++) {
    const len = Math.floor(r() ** 3 * 5000);
    let text = '';
    // Sparse needles: long stretches without any, so the windows grow.
    while (text.length < len) text += r() < 0.97 ? 'x' : alphabet[Math.floor(r() * alphabet.length)];
    const t = reader(text);
    for (const needle of ['}', '${', '\n', '😀']) {
      const from = Math.floor(r() * (text.length + 2)) - 1;
      const to = Math.floor(r() * (text.length + 2));
      const native = text.indexOf(needle, Math.max(0, from));
      assert.equal(indexIn(t, needle, from, to), native >= 0 && native < to ? native : -1, `indexIn ${JSON.stringify(needle)} ${from}..${to} of ${text.length}`);
      assert.equal(indexIn(t, needle, from), native);
    }
    // A needle that straddles the first windows' boundaries (256, 768, 1792 chars after the start).
    for (const edge of [255, 767, 1791]) {
      const straddling = `${'x'.repeat(edge)}\${file}`;
      assert.equal(indexIn(reader(straddling), '${', 0), edge);
    }
  }
});

test('variableStartBefore equals a plain search for the `${` after the last `}` before the edit', () => {
  const r = rng(11);
  for (let n = 0; n < 2000; n++) {
    const len = Math.floor(r() ** 2 * 3000);
    let text = '';
    while (text.length < len) text += r() < 0.98 ? 'x' : ['}', '${', '$', '{'][Math.floor(r() * 4)];
    const at = Math.floor(r() * (text.length + 1));
    const editEnd = Math.min(text.length, at + Math.floor(r() * 4));
    const lastBrace = at > 0 ? text.lastIndexOf('}', at - 1) : -1;
    const c = text.indexOf('${', lastBrace + 1);
    assert.equal(variableStartBefore(reader(text), at, editEnd), c >= 0 && c < editEnd ? c : -1, `${at}..${editEnd} of ${text.length}`);
  }
  // `${` across the backward windows' boundaries (256, 768 chars before the edit's end), and none after a `}`.
  for (const back of [256, 257, 768, 769]) {
    const text = `}${'x'.repeat(2000)}`;
    const end = text.length;
    const withVar = text.slice(0, end - back) + '${' + text.slice(end - back + 2);
    assert.equal(variableStartBefore(reader(withVar), end, end), end - back, `${back} before the end`);
  }
});

const PIECES = ['x', ' ', '\n', '\r\n', '\r', '#', '# ', '## H', '```', '~~~', '$', '{', '}', '${', '${file}', '${input:a}', '${selection', '---\n', '😀', 'word'];
const SPECIAL = /[#`~$}{\n\r-]/g;

function document(fileName: string, r: () => number): string {
  const lines: string[] = [];
  if (fileName === 'fm.prompt.md') lines.push('---', 'mode: agent', '---');
  // What precedes the first heading decides whether a "(before the first heading)" section exists.
  lines.push(['Intro before any heading.', '', '  ', '!', '\u00a0', '\t'][Math.floor(r() * 6)]);
  for (let i = 0; i < 30; i++) {
    const k = Math.floor(r() * 6);
    lines.push(k === 0 ? `# Part ${i}` : k === 1 ? '```' : k === 2 ? `Use \${input:v${i}} here {x}.` : k === 3 ? `Line ${i} with } brace` : `Plain ${'word '.repeat(Math.floor(r() * 80))}`);
  }
  return lines.join('\n');
}

for (const fileName of ['fm.prompt.md', 'bare.prompt.md', 'notes.md', 'plain.txt']) {
  test(`renderedAfterEdit equals a fresh extraction after every random edit: ${fileName}`, () => {
    const r = rng(fileName.length * 7919);
    let applied = 0;
    for (let round = 0; round < 8; round++) {
      let source = document(fileName, r);
      let prev = layout(source, fileName);
      for (let step = 0; step < 250; step++) {
        // Half of the edits land on or next to a char the rendering depends on.
        const specials = [...source.matchAll(SPECIAL)].map((m) => m.index!);
        const offset = r() < 0.5 && specials.length ? Math.min(source.length, specials[Math.floor(r() * specials.length)] + Math.floor(r() * 3) - 1) : Math.floor(r() * (source.length + 1));
        const at0 = Math.max(0, offset);
        const del = r() < 0.4 ? Math.min(source.length - at0, Math.floor(r() * 4)) : 0;
        const ins = r() < 0.8 ? PIECES[Math.floor(r() * PIECES.length)] : '';
        const edit = { offset: at0, deleteLength: del, text: ins };
        const head = source.slice(0, prev.frontMatter?.end ?? 0);
        const beforeRendered = source.slice(head.length);
        const at = directRenderedOffset(prev, head, reader(beforeRendered), edit);
        const next = source.slice(0, at0) + ins + source.slice(at0 + del);
        const fresh = layout(next, fileName);
        if (at !== null) {
          applied++;
          const counter = { copied: 0 };
          const got = renderedAfterEdit(prev, reader(next.slice(head.length), counter), at, beforeRendered.slice(at, at + del), ins);
          const where = `${fileName} round ${round} step ${step}: ${JSON.stringify(edit)}`;
          assert.deepEqual(got.segments, fresh.segments, `segments, ${where}`);
          if (got.leadLines) assert.deepEqual(got.leadLines, markdownLeadLines(next.slice(head.length)), `lead lines, ${where}`);
          assert.equal(got.firstVariableOffset, fresh.firstVariableOffset, `first variable, ${where}`);
          assert.deepEqual(got.map, fresh.map, `map, ${where}`);
          assert.deepEqual(got.frontMatter, fresh.frontMatter, `front matter, ${where}`);
          assert.deepEqual(got.problems, fresh.problems, `problems, ${where}`);
          // The next edit starts from what the keystroke path derived (its lead lines included), as the engine does.
          prev = got;
        } else {
          prev = fresh;
        }
        source = next;
      }
    }
    // Most edits must take the keystroke path, or this test would prove little.
    assert.ok(applied > 8 * 250 * 0.6, `${applied} edits took the keystroke path`);
  });
}

test('a keystroke in a long prompt file reads only a window around the edit', () => {
  const para = (i: number) => `Rule ${i}: be brief, cite the section and keep {format} stable.\n`;
  const body = `# Rules\n${Array.from({ length: 15_000 }, (_, i) => para(i)).join('')}## Tools\n`;
  const source = `---\nmode: agent\n---\n${body}`;
  const head = source.slice(0, layout(source, 'big.prompt.md').frontMatter!.end);
  const at = body.indexOf('Rule 7000:') + 3;
  for (const [name, text] of [['with braces', body], ['without braces', body.replaceAll('{format}', 'format')]] as const) {
    const prev = layout(head + text, 'big.prompt.md');
    assert.equal(directRenderedOffset(prev, head, reader(text), { offset: head.length + at, deleteLength: 0, text: 'x' }), at);
    const counter = { copied: 0 };
    const next = text.slice(0, at) + 'x' + text.slice(at);
    const got = renderedAfterEdit(prev, reader(next, counter), at, '', 'x');
    assert.deepEqual(got.segments, layout(head + next, 'big.prompt.md').segments);
    // A `}` nearby ends the search for a variable at once; without one it reads back to the start, once.
    const limit = name === 'with braces' ? 2_000 : 1.2 * at;
    assert.ok(counter.copied < limit, `${name}: copied ${counter.copied} chars`);
  }
});
