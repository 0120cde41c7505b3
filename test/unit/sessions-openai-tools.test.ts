// OpenAI Chat Completions prompt tokens with tools, against counts the API reported in public sources:
// - the OpenAI cookbook, "How to count tokens with tiktoken" §7 (get_current_weather, gpt-3.5-turbo/gpt-4: 105,
//   gpt-4o/gpt-4o-mini: 101), and §6 without tools;
// - hmarr/openai-chat-tokens tests/token-counts.test.ts (gpt-3.5-turbo, `functions`, each checked against the API);
// - pamelafox/openai-messages-token-helper tests/functions.py (a cl100k model, `tools`, counts from the API).
// Plus requests built from the documented rendering, counted independently with tiktoken (WASM) on the rendered text.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { get_encoding } from 'tiktoken';
import { getEncoder } from '../../src/core/encodings';
import { countOpenAIChatPrompt, renderOpenAITools } from '../../src/core/sessions/openaiChatTokens';

type Msg = Record<string, unknown>;
const cl = getEncoder('cl100k_base');
const o2 = getEncoder('o200k_base');
const fn = (name: string, description: string | undefined, parameters?: unknown) => ({ type: 'function', function: { name, ...(description ? { description } : {}), ...(parameters ? { parameters } : {}) } });

const weather = [fn('get_current_weather', 'Get the current weather in a given location', { type: 'object', properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' }, unit: { type: 'string', description: 'The unit of temperature to return', enum: ['celsius', 'fahrenheit'] } }, required: ['location'] })];
const weatherMsgs: Msg[] = [
  { role: 'system', content: 'You are a helpful assistant that can answer to questions about the weather.' },
  { role: 'user', content: "What's the weather like in San Francisco?" },
];

test('cookbook: tools with a system message, both encodings, exact', () => {
  assert.equal(countOpenAIChatPrompt({ model: 'gpt-4', messages: weatherMsgs, tools: weather }, cl).promptTokens, 105);
  assert.equal(countOpenAIChatPrompt({ model: 'gpt-4o', messages: weatherMsgs, tools: weather }, o2).promptTokens, 101);
});

test('cookbook: messages without tools (129 cl100k / 124 o200k)', () => {
  const msgs: Msg[] = [
    { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
    { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
    { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
    { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
    { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
    { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
  ];
  assert.equal(countOpenAIChatPrompt({ messages: msgs }, cl).promptTokens, 129);
  assert.equal(countOpenAIChatPrompt({ messages: msgs }, o2).promptTokens, 124);
});

// hmarr/openai-chat-tokens (gpt-3.5-turbo, legacy `functions`): [messages, functions, reported prompt_tokens]
const HMARR: [Msg[], unknown[] | undefined, number][] = [
  [[{ role: 'user', content: 'hello' }], undefined, 8],
  [[{ role: 'user', content: 'hello world' }], undefined, 9],
  [[{ role: 'system', content: 'hello' }], undefined, 8],
  [[{ role: 'system', content: "# Important: you're the best robot" }, { role: 'user', content: 'hello robot' }, { role: 'assistant', content: 'hello world' }], undefined, 27],
  [[{ role: 'user', content: 'hello' }], [{ name: 'foo', parameters: { type: 'object', properties: {} } }], 31],
  [[{ role: 'user', content: 'hello' }], [{ name: 'foo', description: 'Do a foo', parameters: { type: 'object', properties: {} } }], 36],
  [[{ role: 'user', content: 'hello' }], [{ name: 'bing_bong', description: 'Do a bing bong', parameters: { type: 'object', properties: { foo: { type: 'string' } } } }], 49],
  [[{ role: 'user', content: 'hello' }], [{ name: 'bing_bong', description: 'Do a bing bong', parameters: { type: 'object', properties: { foo: { type: 'string' }, bar: { type: 'number', description: 'A number' } } } }], 57],
  [[{ role: 'user', content: 'hello' }], [{ name: 'bing_bong', description: 'Do a bing bong', parameters: { type: 'object', properties: { foo: { type: 'object', properties: { bar: { type: 'string', enum: ['a', 'b', 'c'] }, baz: { type: 'boolean' } } } } } }], 68],
  [[{ role: 'user', content: 'hello world' }, { role: 'function', name: 'do_stuff', content: '{}' }], undefined, 15],
  [[{ role: 'system', content: 'Hello' }, { role: 'user', content: 'Hi there' }], [{ name: 'do_stuff', parameters: { type: 'object', properties: {} } }], 35],
  [[{ role: 'system', content: 'Hello:' }, { role: 'system', content: 'Hello' }, { role: 'user', content: 'Hi there' }], [{ name: 'do_stuff', parameters: { type: 'object', properties: {} } }], 40],
  [[{ role: 'user', content: 'hello' }], [{ name: 'get_recipe', parameters: { type: 'object', required: ['ingredients', 'instructions', 'time_to_cook'], properties: { ingredients: { type: 'array', items: { type: 'object', required: ['name', 'unit', 'amount'], properties: { name: { type: 'string' }, unit: { enum: ['grams', 'ml', 'cups', 'pieces', 'teaspoons'], type: 'string' }, amount: { type: 'number' } } } }, instructions: { type: 'array', items: { type: 'string' }, description: 'Steps to prepare the recipe (no numbering)' }, time_to_cook: { type: 'number', description: 'Total time to prepare the recipe in minutes' } } } }], 106],
];

// pamelafox/openai-messages-token-helper: system "You are a bot." + tools + tool_choice → reported prompt_tokens
const ss = fn('search_sources', 'Retrieve sources from the Azure AI Search index', { type: 'object', properties: { search_query: { type: 'string', description: "Query string to retrieve documents from azure search eg: 'Health care plan'" } }, required: ['search_query'] });
const dd = (props: unknown, required?: string[]) => fn('data_demonstration', 'This is the main function description', { type: 'object', properties: props, ...(required ? { required } : {}) });
const obj1 = (inner: unknown) => ({ object_1: { type: 'object', description: 'The object data type as a property', properties: inner } });
const PAMELA: [string, unknown[], unknown, number][] = [
  ['search_sources auto', [ss], 'auto', 66],
  ['search_sources none', [ss], 'none', 67],
  ['search_sources named', [ss], { type: 'function', function: { name: 'search_sources' } }, 75],
  ['no parameters', [fn('search_sources', 'Retrieve sources from the Azure AI Search index')], 'auto', 42],
  ['no parameters named', [fn('search_sources', 'Retrieve sources from the Azure AI Search index')], { type: 'function', function: { name: 'search_sources' } }, 51],
  ['string enum', [fn('summarize_order', 'Summarize the customer order request', { type: 'object', properties: { product_name: { type: 'string', description: 'Product name ordered by customer' }, quantity: { type: 'integer', description: 'Quantity ordered by customer' }, unit: { type: 'string', enum: ['meals', 'days'], description: 'unit of measurement of the customer order' } }, required: ['product_name', 'quantity', 'unit'] })], 'none', 86],
  ['boolean', [fn('human_escalation', 'Check if user wants to escalate to a human', { type: 'object', properties: { requires_escalation: { type: 'boolean', description: 'If user is showing signs of frustration or anger in the query. Also if the user says they want to talk to a real person and not a chat bot.' } }, required: ['requires_escalation'] })], 'none', 89],
  ['array', [fn('get_coordinates', 'Get the latitude and longitude of multiple mailing addresses', { type: 'object', properties: { addresses: { type: 'array', description: 'The mailing addresses to be located', items: { type: 'string' } } }, required: ['addresses'] })], 'none', 59],
  ['no type', [fn('get_no_type', 'Get the no type value', { type: 'object', properties: { no_type_value: { description: 'The no type value to be returned' } }, required: ['no_type_value'] })], 'none', 59],
  ['null', [fn('get_null', 'Get the null value', { type: 'object', properties: { null_value: { type: 'null', description: 'The null value to be returned' } }, required: ['null_value'] })], 'none', 55],
  ['inner object', [dd(obj1({ string1: { type: 'string' } }), ['object_1'])], 'none', 65],
  ['inner object with enum only', [dd(obj1({ string_2a: { type: 'string', enum: ['Happy', 'Sad'] } }), ['object_1'])], 'none', 73],
  ['inner object with enum', [dd(obj1({ string_2a: { type: 'string', enum: ['Happy', 'Sad'] }, string_2b: { type: 'string', description: 'Description in a second object is lost' } }), ['object_1'])], 'none', 89],
  ['inner object and string', [dd({ ...obj1({ string_2a: { type: 'string', enum: ['Happy', 'Sad'] }, string_2b: { type: 'string', description: 'Description in a second object is lost' } }), string_1: { type: 'string', description: 'Not required gets a question mark' } }, ['object_1'])], 'none', 103],
  ['integer enum', [dd({ integer_enum: { type: 'integer', enum: [-1, 1] } })], 'none', 54],
  ['no parameter description', [fn('search_sources', 'Retrieve sources from the Azure AI Search index', { type: 'object', properties: { search_query: { type: 'string' } }, required: ['search_query'] })], 'auto', 49],
];

test('public API counts: every case within max(1 token, 1%), most exact; in all within 1%', () => {
  let exact = 0;
  let cases = 0;
  let absErr = 0;
  let total = 0;
  const misses: string[] = [];
  const check = (label: string, got: number, want: number) => {
    cases++;
    total += want;
    absErr += Math.abs(got - want);
    if (got === want) exact++;
    else misses.push(`${label}: ${got} vs ${want}`);
    assert.ok(Math.abs(got - want) <= Math.max(1, want * 0.01), `${label}: predicted ${got}, API reported ${want}`);
  };
  HMARR.forEach(([messages, functions, want], i) => check(`hmarr #${i}`, countOpenAIChatPrompt({ messages, ...(functions ? { functions } : {}) }, cl).promptTokens, want));
  for (const [label, tools, tool_choice, want] of PAMELA) check(`pamelafox ${label}`, countOpenAIChatPrompt({ messages: [{ role: 'system', content: 'You are a bot.' }], tools, tool_choice }, cl).promptTokens, want);
  assert.ok(absErr / total < 0.01, `mean error ${((absErr / total) * 100).toFixed(2)}% (${misses.join('; ')})`);
  assert.ok(exact >= cases - 8, `${exact}/${cases} exact (${misses.join('; ')})`);
});

test('built from the documented rendering: a 40-tool agent request, counted independently with tiktoken', () => {
  const tk = get_encoding('o200k_base');
  const tools = Array.from({ length: 40 }, (_, i) =>
    fn(`tool_${i}`, `Does thing number ${i}.\nUse it when the user asks for ${i}.`, {
      type: 'object',
      properties: { path: { type: 'string', description: `File path ${i}` }, mode: { type: 'string', enum: ['read', 'write'] }, depth: { type: 'integer' }, opts: { type: 'object', properties: { recursive: { type: 'boolean' } } }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['path'],
    }),
  );
  const messages: Msg[] = [{ role: 'system', content: 'You are a coding agent. Follow the repository conventions.\n'.repeat(30) }];
  for (let i = 0; i < 30; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: `Turn ${i}: ${'some words about the code base '.repeat(20)}` });
  const got = countOpenAIChatPrompt({ model: 'gpt-4o', messages, tools }, o2).promptTokens;
  // The documented shape, counted with another tokenizer implementation.
  const n = (s: string) => tk.encode(s, [], []).length;
  const sys = `${messages[0].content}\n\n${renderOpenAITools(tools.map((t) => t.function))}`;
  let want = 3 + (3 + n('system') + n(sys)) - 1;
  for (const m of messages.slice(1)) want += 3 + n(String(m.role)) + n(String(m.content));
  tk.free();
  assert.equal(got, want);
  assert.ok(got > 5000);
});

test('the tools section renders descriptions, optional marks, enums, arrays and nested objects as documented', () => {
  const text = renderOpenAITools([{ name: 'f', description: 'Does f', parameters: { type: 'object', properties: { a: { type: 'string', description: 'The a' }, b: { type: 'string', enum: ['x', 'y'] }, c: { type: 'array', items: { type: 'number' } }, d: { type: 'object', properties: { e: { type: 'boolean' } } } }, required: ['a'] } }, { name: 'g' }]);
  assert.equal(text, '# Tools\n\n## functions\n\nnamespace functions {\n\n// Does f\ntype f = (_: {\n// The a\na: string,\nb?: "x" | "y",\nc?: number[],\nd?: {\ne?: boolean,\n},\n}) => any;\n\ntype g = () => any;\n\n} // namespace functions');
});
