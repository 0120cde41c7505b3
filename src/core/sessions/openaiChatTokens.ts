// Prompt tokens of an OpenAI Chat Completions request as the API counts them, tools included.
//
// The API does not send the JSON schemas to the model: it renders the tools as TypeScript declarations in a
// `# Tools` / `## functions` / `namespace functions { … }` section of the system message. The shape is the one
// OpenAI's own harmony renderer (openai/harmony, src/encoding.rs: template_tools_section, json_schema_to_typescript)
// produces and the one reverse-engineered from the API's counts (hmarr/openai-chat-tokens; the OpenAI cookbook's
// "counting tokens for chat completions with tool calls"; pamelafox/openai-messages-token-helper):
//
//   <system text>\n\n# Tools\n\n## functions\n\nnamespace functions {\n\n// <description>\ntype <name> = (_: {\n
//   // <param description>\n<param>?: <type>,\n}) => any;\n\n} // namespace functions
//
// Per message: 3 tokens (start, role separator, end) + the role + the content (+1 and the name when named); 3 more
// prime the reply. With tools the count is one lower than the rendered text suggests (the template joins the tools
// section into the system message). Calibrated against the counts the API reported in those public sources (see
// test/unit/sessions-openai-tools.test.ts); tool calls inside the history are calibrated on five real recorded
// requests (test/unit/sessions-real.test.ts).
import type { Encoder } from '../encodings';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A JSON schema as a TypeScript type, the way the tools section writes it. Nested object properties are not indented
 * for `tools` (the counts reported for `tools` requests, and OpenAI's harmony-era prompts) but indented by two spaces
 * per level for the legacy `functions` parameter (the counts hmarr/openai-chat-tokens verified on gpt-3.5-turbo).
 */
function tsType(schema: unknown, indent = -1): string {
  if (!isObj(schema)) return 'any';
  const en = Array.isArray(schema.enum) ? schema.enum : undefined;
  if (en && en.length) return en.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(' | ');
  const t = schema.type;
  if (Array.isArray(t)) return t.map((x) => (x === 'integer' ? 'number' : String(x))).join(' | ');
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) return ((schema.anyOf ?? schema.oneOf) as unknown[]).map((x) => tsType(x, indent)).join(' | ');
  switch (t) {
    case 'object':
      return isObj(schema.properties) && Object.keys(schema.properties).length ? `{\n${objectBody(schema, indent < 0 ? -1 : indent + 2)}\n}` : 'object';
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return schema.items !== undefined ? `${tsType(schema.items, indent)}[]` : 'any[]';
    default:
      return 'any';
  }
}

/** Properties of an object schema, one per line; `indent` < 0: no indentation at any depth. */
function objectBody(schema: Obj, indent = -1): string {
  const props = isObj(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const pad = indent > 0 ? ' '.repeat(indent) : '';
  const lines: string[] = [];
  for (const [key, p] of Object.entries(props)) {
    if (isObj(p) && typeof p.description === 'string' && p.description) for (const l of p.description.split('\n')) lines.push(`${pad}// ${l}`);
    lines.push(`${pad}${key}${required.has(key) ? '' : '?'}: ${tsType(p, indent)},`);
  }
  return lines.join('\n');
}

interface FunctionDef {
  name: string;
  description?: string;
  parameters?: unknown;
  /** Declared through the legacy `functions` parameter. */
  legacy?: boolean;
}

function functionsOf(body: Obj): FunctionDef[] {
  const out: FunctionDef[] = [];
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const t of tools) {
    const f = isObj(t) && isObj(t.function) ? t.function : isObj(t) && typeof t.name === 'string' ? t : undefined;
    if (f && typeof f.name === 'string') out.push({ name: f.name, description: typeof f.description === 'string' ? f.description : undefined, parameters: f.parameters });
  }
  for (const f of Array.isArray(body.functions) ? body.functions : []) {
    if (isObj(f) && typeof f.name === 'string') out.push({ name: f.name, description: typeof f.description === 'string' ? f.description : undefined, parameters: f.parameters, legacy: true });
  }
  return out;
}

/** The `# Tools` section the API adds to the system message for these function definitions. */
export function renderOpenAITools(functions: readonly FunctionDef[]): string {
  const lines = ['## functions\n', 'namespace functions {\n'];
  for (const f of functions) {
    if (f.description) for (const l of f.description.split('\n')) lines.push(`// ${l}`);
    const p = f.parameters;
    if (isObj(p) && isObj(p.properties) && Object.keys(p.properties).length) lines.push(`type ${f.name} = (_: {\n${objectBody(p, f.legacy ? 0 : -1)}\n}) => any;\n`);
    else lines.push(`type ${f.name} = () => any;\n`);
  }
  lines.push('} // namespace functions');
  return `# Tools\n\n${lines.join('\n')}`;
}

/** The text parts of a message's content, in order; images count their documented low-detail cost. */
function contentText(content: unknown): { text: string; extraTokens: number } {
  if (typeof content === 'string') return { text: content, extraTokens: 0 };
  if (!Array.isArray(content)) return { text: '', extraTokens: 0 };
  let text = '';
  let extra = 0;
  for (const part of content) {
    if (typeof part === 'string') text += part;
    else if (isObj(part) && typeof part.text === 'string') text += part.text;
    else if (isObj(part) && (part.type === 'image_url' || part.type === 'input_image')) extra += 85;
  }
  return { text, extraTokens: extra };
}

/**
 * Tokens each tool call in the history costs beyond its name and arguments (and its result's), as the API reported
 * them on real recordings: a call + result pair came to 3 more than the rendering above on gpt-4o-mini and
 * gpt-4.1-mini (pydantic-ai cassettes: 104/129 and 50/75 prompt tokens) and 2 more on gpt-3.5-turbo (openllmetry:
 * 40). Where inside the pair they sit is not known; the count is the same.
 */
function toolCallExtra(encoder: Encoder): number {
  return encoder.name === 'cl100k_base' ? 2 : 3;
}

export interface OpenAIChatCount {
  promptTokens: number;
  /** Tokens of the rendered tools section (0 without tools). */
  toolsTokens: number;
}

export function countOpenAIChatPrompt(body: Obj, encoder: Encoder): OpenAIChatCount {
  const n = (s: string) => (s ? encoder.encode(s).length : 0);
  const messages = (Array.isArray(body.messages) ? body.messages : []).filter(isObj);
  const functions = functionsOf(body);
  const section = functions.length ? renderOpenAITools(functions) : '';
  const toolNames = new Map<string, string>();
  let tokens = 3; // every reply is primed with <|start|>assistant<|message|>
  let toolsPlaced = !section;
  const countMessage = (m: Obj, extraText = '') => {
    const role = typeof m.role === 'string' ? m.role : 'user';
    const { text, extraTokens } = contentText(m.content);
    let t = 3 + n(role) + n(text + extraText) + extraTokens;
    if (typeof m.name === 'string' && m.name && role !== 'tool') t += 1 + n(m.name);
    if (Array.isArray(m.tool_calls)) {
      for (const tc of m.tool_calls) {
        const f = isObj(tc) && isObj(tc.function) ? tc.function : undefined;
        if (!f) continue;
        const name = typeof f.name === 'string' ? f.name : '';
        if (isObj(tc) && typeof tc.id === 'string') toolNames.set(tc.id, name);
        t += n(` to=functions.${name}`) + n(typeof f.arguments === 'string' ? f.arguments : JSON.stringify(f.arguments ?? {})) + toolCallExtra(encoder);
      }
    }
    if (isObj(m.function_call)) t += n(` to=functions.${String(m.function_call.name ?? '')}`) + n(String(m.function_call.arguments ?? ''));
    // Legacy `function` results: the name stands for the role (hmarr/openai-chat-tokens' counts).
    if (role === 'function') t -= 2;
    if (role === 'tool') {
      // A tool result is authored by the function it answers, not by a role.
      const name = typeof m.tool_call_id === 'string' ? toolNames.get(m.tool_call_id) ?? (typeof m.name === 'string' ? m.name : '') : typeof m.name === 'string' ? m.name : '';
      t += -1 - n(role) + n(`functions.${name}`);
    }
    return t;
  };
  for (const m of messages) {
    if (!toolsPlaced && (m.role === 'system' || m.role === 'developer')) {
      tokens += countMessage(m, `\n\n${section}`);
      toolsPlaced = true;
    } else {
      tokens += countMessage(m);
    }
  }
  let toolsTokens = 0;
  if (section) {
    if (!toolsPlaced) tokens += countMessage({ role: 'system', content: section });
    tokens -= 1;
    toolsTokens = n(section);
    const choice = body.tool_choice ?? body.function_call;
    if (choice === 'none') tokens += 1;
    else if (isObj(choice)) {
      const name = isObj(choice.function) ? choice.function.name : choice.name;
      if (typeof name === 'string') tokens += 7 + n(name);
    }
  }
  return { promptTokens: tokens, toolsTokens };
}

export function openaiChatPromptTokens(body: Obj, encoder: Encoder): number {
  return countOpenAIChatPrompt(body, encoder).promptTokens;
}
