// Deterministic prompt text for the tokenizer benchmark and tests: a mixture of English prose, code, JSON and
// Markdown, like a long system prompt with tool definitions and examples. Same seed, same text, every run.

export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her she there would their we him been has when who will more no if out so said what up its about ' +
  'into than them can only other new some could time these two may then do first any my now such like our over ' +
  'man me even most made after also did many before must through back years where much your way well down ' +
  'should because each just those people how too little state good very make world still own see men work long ' +
  'get here between both life being under never day same another know while last might us great old year off ' +
  'come since against go came right used take three model prompt cache token tokens provider request response ' +
  "system assistant user tool function schema instructions example output format context window don't it's " +
  "we're you'll they've I'd can't won't isn't"
).split(' ');

function sentence(r) {
  const n = 6 + Math.floor(r() * 18);
  const w = [];
  for (let i = 0; i < n; i++) w.push(WORDS[Math.floor(r() * WORDS.length)]);
  w[0] = w[0][0].toUpperCase() + w[0].slice(1);
  const punct = ['.', '.', '.', '?', '!', ':', ';'][Math.floor(r() * 7)];
  if (r() < 0.2) w.splice(1 + Math.floor(r() * (n - 1)), 0, String(Math.floor(r() * 100000)));
  if (r() < 0.15) w.splice(1 + Math.floor(r() * (n - 1)), 0, `"${WORDS[Math.floor(r() * WORDS.length)]}",`);
  return w.join(' ') + punct;
}

function prose(r) {
  const k = 2 + Math.floor(r() * 6);
  const s = [];
  for (let i = 0; i < k; i++) s.push(sentence(r));
  return s.join(' ') + '\n\n';
}

function code(r) {
  const name = WORDS[Math.floor(r() * WORDS.length)].replace(/\W/g, '') || 'value';
  const n = Math.floor(r() * 1000);
  return [
    '```ts',
    `export async function ${name}Handler(input: ${name[0].toUpperCase() + name.slice(1)}Input): Promise<Result> {`,
    `  const items = input.items.filter((x) => x.score > ${n} && x.kind !== 'draft');`,
    '  for (let i = 0; i < items.length; i++) {',
    `    if (items[i].id === ${n * 7}) {`,
    `      console.log(\`found \${items[i].id} at \${i}\`);`,
    '      break;',
    '    }',
    '  }',
    `  return { ok: true, count: items.length, label: "${name}" };`,
    '}',
    '```',
    '',
    '',
  ].join('\n');
}

function json(r) {
  const name = WORDS[Math.floor(r() * WORDS.length)].replace(/\W/g, '') || 'tool';
  return (
    JSON.stringify(
      {
        type: 'function',
        function: {
          name: `get_${name}_${Math.floor(r() * 100)}`,
          description: sentence(r),
          parameters: {
            type: 'object',
            properties: {
              query: { type: 'string', description: sentence(r) },
              limit: { type: 'integer', minimum: 1, maximum: Math.floor(r() * 500) },
              tags: { type: 'array', items: { type: 'string' } },
            },
            required: ['query'],
          },
        },
      },
      null,
      2,
    ) + '\n\n'
  );
}

function markdown(r) {
  const lines = [`## ${sentence(r).slice(0, 40)}`, ''];
  const k = 2 + Math.floor(r() * 4);
  for (let i = 0; i < k; i++) lines.push(`- **${WORDS[Math.floor(r() * WORDS.length)]}**: ${sentence(r)}`);
  lines.push('', `| key | value |`, `| --- | ---: |`, `| ${WORDS[Math.floor(r() * WORDS.length)]} | ${(r() * 100).toFixed(2)} |`, '', '');
  return lines.join('\n');
}

/** A prompt of about `size` UTF-16 chars (cut at exactly `size`). */
export function makePrompt(size, seed = 1) {
  const r = rng(seed);
  const parts = [];
  let len = 0;
  while (len < size) {
    const x = r();
    const p = x < 0.45 ? prose(r) : x < 0.65 ? code(r) : x < 0.85 ? json(r) : markdown(r);
    parts.push(p);
    len += p.length;
  }
  return parts.join('').slice(0, size);
}
