// JSON request bodies: rendered in the provider's cache order as compact canonical JSON per part.
// Key order is kept as written (a reordered key IS a different byte sequence and a cache miss); file
// whitespace is dropped (SDKs re-serialize the body, so indentation never reaches the provider).
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { oneLineMessage, RenderBuilder } from '../text';
import type { ExtractedPrompt, ParseProblem, PromptFormat, PromptSegment } from '../types';
import { findJsonSyntaxError } from './jsonSyntax';

export type JsonFlavour = 'json-anthropic' | 'json-openai-chat' | 'json-openai-responses' | 'json-gemini' | 'json';

/** Parses JSON keeping source ranges (via `yaml`, whose flow syntax is a JSON superset). Null + problem on bad JSON. */
export function parseJsonWithRanges(source: string, bodyStart = 0): { doc: Document.Parsed | null; problems: ParseProblem[] } {
  // A diff parses each version for rendering and again for lint: keep the last few (yaml takes ~0.7 s/MB).
  const hit = recent.find((r) => r.bodyStart === bodyStart && r.source === source);
  if (hit) return hit.result;
  const result = parseUncached(source, bodyStart);
  recent.unshift({ source, bodyStart, result });
  if (recent.length > 4) recent.pop();
  return result;
}

const recent: { source: string; bodyStart: number; result: { doc: Document.Parsed | null; problems: ParseProblem[] } }[] = [];

function parseUncached(source: string, bodyStart: number): { doc: Document.Parsed | null; problems: ParseProblem[] } {
  // A leading BOM (Windows editors save one) is not JSON: parse it as a space so every offset stays the source's.
  const text = source.charCodeAt(bodyStart) === 0xfeff ? ` ${source.slice(bodyStart + 1)}` : source.slice(bodyStart);
  try {
    JSON.parse(text);
  } catch (e) {
    // V8's message has no position for some errors and quotes a snippet of the file; the scanner gives both
    // the exact offset and a message of our own.
    const found = findJsonSyntaxError(text);
    const v8 = /position (\d+)/.exec((e as Error).message);
    const rel = found ? found.offset : v8 ? Number(v8[1]) : 0;
    const message = found ? found.message : 'not valid JSON';
    const at = bodyStart + rel;
    return { doc: null, problems: [{ message: oneLineMessage(`Malformed JSON: ${message}`), severity: 'error', start: Math.min(at, source.length), end: Math.min(at + 1, source.length) }] };
  }
  const doc = parseDocument(text, { keepSourceTokens: false, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    return { doc: null, problems: [{ message: oneLineMessage(`JSON could not be mapped to source positions: ${e.message.split('\n')[0]}`), severity: 'warning', start: bodyStart + e.pos[0], end: bodyStart + e.pos[1] }] };
  }
  return { doc, problems: [] };
}

type Obj = Record<string, unknown>;

/** Detects the API a request body is written for. */
export function detectFlavour(value: unknown): JsonFlavour {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'json';
  const v = value as Obj;
  const hasCacheControl = JSON.stringify(value).includes('"cache_control"');
  const tools = Array.isArray(v.tools) ? (v.tools as Obj[]) : [];
  const anthropicTools = tools.some((t) => t && typeof t === 'object' && 'input_schema' in t);
  if (Array.isArray(v.messages) && ('system' in v || anthropicTools || hasCacheControl || 'anthropic_version' in v)) return 'json-anthropic';
  if (Array.isArray(v.messages)) return 'json-openai-chat';
  if (Array.isArray(v.contents) || 'systemInstruction' in v || 'system_instruction' in v) return 'json-gemini';
  if ('input' in v || 'instructions' in v) return 'json-openai-responses';
  return 'json';
}

// Cache order per provider. Anthropic documents tools → system → messages; tool_choice and thinking
// settings invalidate the messages level, so they sit between system and messages. OpenAI does not
// publish its rendering order; tools and response schemas are placed before the conversation, as its
// guidance ("static content first") implies.
const ORDER: Record<JsonFlavour, string[]> = {
  'json-anthropic': ['tools', 'system', 'tool_choice', 'thinking', 'messages'],
  'json-openai-chat': ['tools', 'response_format', 'messages'],
  'json-openai-responses': ['instructions', 'tools', 'text', 'input'],
  // Gemini does not document its order either; system instruction and tools precede the conversation.
  'json-gemini': ['systemInstruction', 'system_instruction', 'tools', 'toolConfig', 'tool_config', 'contents'],
  json: [],
};

const SEGMENT_DEPTH = 4;

export function extractJson(source: string, bodyStart: number, fileFormatFallback: PromptFormat): ExtractedPrompt {
  const parsed = parseJsonWithRanges(source, bodyStart);
  const doc = parsed.doc;
  const problems = [...parsed.problems]; // the parse result is cached: never hand out its array
  if (!doc) {
    // Bad JSON: fall back to the file's text so the user still gets token counts; the problem says why.
    const b = new RenderBuilder();
    b.copy(source.slice(bodyStart), bodyStart);
    return { format: fileFormatFallback, text: b.text, map: b.map, segments: [], firstVariableOffset: null, problems, breakpoints: [], blocks: [] };
  }
  const value = doc.toJS() as unknown;
  const flavour = detectFlavour(value);
  const b = new RenderBuilder();
  // A leading BOM was skipped for parsing; it stays in the rendering as plain text (loaders differ on keeping
  // it, and the `bom` lint rule reports it where it is).
  if (source.charCodeAt(bodyStart) === 0xfeff) b.copy('\uFEFF', bodyStart);
  const segments: PromptSegment[] = [];
  const breakpoints: { rendered: number; source: number }[] = [];
  const blocks: number[] = [];
  const hardBoundaries: number[] = [];
  const partStarts: number[] = [];
  const root = doc.contents as YamlNode | null;

  const emit = (node: unknown, path: string, depth: number): void => {
    const start = b.length;
    const range = nodeRange(node, bodyStart);
    if (isMap(node)) {
      b.synth('{', range[0]);
      // `cache_control` marks a breakpoint; it is request metadata, not prompt text, so it is not rendered
      // (moving a breakpoint to the newest message does not change the cached tokens).
      // Gemini's `thoughtSignature` is an opaque, encrypted record of the model's earlier reasoning (base64, often
      // kilobytes), not text the model reads: rendering it predicted far more prompt tokens than Gemini's reported
      // promptTokenCount. It is left out; the thought text itself is unknown to us.
      const skipped = flavour === 'json-anthropic' ? SKIPPED_ANTHROPIC : flavour === 'json-gemini' ? SKIPPED_GEMINI : null;
      const members = skipped ? node.items.filter((p) => !(isScalar(p.key) && skipped.has(String(p.key.value)))) : node.items;
      members.forEach((pair, i) => {
        if (i > 0) b.synth(',', range[0]);
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyRange = nodeRange(pair.key, bodyStart);
        emitScalarText(JSON.stringify(key), keyRange, source, b);
        b.synth(':', keyRange[1]);
        emit(pair.value, path ? `${path}.${key}` : key, depth + 1);
      });
      b.synth('}', Math.max(range[0], range[1] - 1));
      if (node.has('cache_control') && flavour === 'json-anthropic') {
        const cc = node.items.find((p) => isScalar(p.key) && p.key.value === 'cache_control');
        breakpoints.push({ rendered: b.length, source: nodeRange(cc?.key, bodyStart)[0] });
      }
    } else if (isSeq(node)) {
      b.synth('[', range[0]);
      node.items.forEach((item, i) => {
        if (i > 0) b.synth(',', range[0]);
        emit(item, `${path}[${i}]`, depth + 1);
      });
      b.synth(']', Math.max(range[0], range[1] - 1));
    } else if (isScalar(node)) {
      emitScalarText(JSON.stringify(node.value ?? null), range, source, b);
    } else {
      b.synth('null', range[0]);
    }
    if (depth <= SEGMENT_DEPTH && path) segments.push({ name: path, start, end: b.length });
  };

  if (flavour === 'json' || !isMap(root)) {
    emit(root, '', 0);
  } else {
    const order = ORDER[flavour];
    for (const name of order) {
      const pair = root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === name);
      if (!pair) continue;
      const keyRange = nodeRange(pair.key, bodyStart);
      partStarts.push(b.length);
      b.synth(`${name}: `, keyRange[0], keyRange[1]);
      emit(pair.value, name, 1);
      b.synth('\n', keyRange[0]);
    }
    blocks.push(...blockEnds(value as Obj, segments));
    // Chat templates separate parts, tools, messages and content blocks with special tokens.
    hardBoundaries.push(...partStarts, ...blockEnds(value as Obj, segments, true), ...blocks);
    // Top-level `cache_control` (automatic caching): the breakpoint sits on the last cacheable block.
    if (flavour === 'json-anthropic' && root.has('cache_control') && blocks.length) {
      const cc = root.items.find((p) => isScalar(p.key) && p.key.value === 'cache_control');
      breakpoints.push({ rendered: blocks[blocks.length - 1], source: nodeRange(cc?.key, bodyStart)[0] });
    }
  }
  breakpoints.sort((x, y) => x.rendered - y.rendered);
  const prompt: ExtractedPrompt = {
    format: flavour,
    text: b.text,
    map: b.map,
    segments,
    firstVariableOffset: null,
    problems,
    breakpoints: breakpoints.map((x) => x.rendered),
    breakpointSourceOffsets: breakpoints.map((x) => x.source),
    blocks,
    hardBoundaries: [...new Set(hardBoundaries)].sort((x, y) => x - y),
  };
  const finalTurnOffset = finalUserTurnOffset(prompt, value);
  if (finalTurnOffset !== undefined) prompt.finalTurnOffset = finalTurnOffset;
  return prompt;
}

const SKIPPED_ANTHROPIC = new Set(['cache_control']);
const SKIPPED_GEMINI = new Set(['thoughtSignature', 'thought_signature']);

/** Rendered end offsets of Anthropic's blocks: each tool, each system block, each message content block. */
function blockEnds(v: Obj, segments: PromptSegment[], starts = false): number[] {
  const byName = new Map(segments.map((s) => [s.name, s]));
  const ends: number[] = [];
  const add = (name: string) => {
    const s = byName.get(name);
    if (s) ends.push(starts ? s.start : s.end);
  };
  if (Array.isArray(v.tools)) v.tools.forEach((_t, i) => add(`tools[${i}]`));
  if (typeof v.system === 'string') add('system');
  else if (Array.isArray(v.system)) v.system.forEach((_t, i) => add(`system[${i}]`));
  const msgs = Array.isArray(v.messages) ? v.messages : Array.isArray(v.input) ? v.input : [];
  const part = Array.isArray(v.messages) ? 'messages' : 'input';
  msgs.forEach((m: unknown, i: number) => {
    const content = m && typeof m === 'object' ? (m as Obj).content : undefined;
    if (Array.isArray(content)) content.forEach((_c, j) => add(`${part}[${i}].content[${j}]`));
    else add(`${part}[${i}]`);
  });
  return [...new Set(ends)].sort((x, y) => x - y);
}

function nodeRange(node: unknown, bodyStart: number): [number, number] {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  if (!r) return [bodyStart, bodyStart];
  return [bodyStart + r[0], bodyStart + r[1]];
}

/** Verbatim when the source spells the scalar exactly as canonical JSON does, so offsets inside stay exact. */
function emitScalarText(rendered: string, range: [number, number], source: string, b: RenderBuilder): void {
  if (source.slice(range[0], range[1]) === rendered) b.copy(rendered, range[0]);
  else b.synth(rendered, range[0], range[1]);
}

/** The rendered offset of the last user message, so lint accepts volatile values there. */
export function finalUserTurnOffset(prompt: ExtractedPrompt, value: unknown): number | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Obj;
  const part = Array.isArray(v.messages) ? 'messages' : Array.isArray(v.input) ? 'input' : 'contents';
  const list = Array.isArray(v[part]) ? (v[part] as unknown[]) : undefined;
  if (!list || list.length === 0) return undefined;
  const last = list.length - 1;
  const m = list[last] as Obj | undefined;
  if (!m || m.role !== 'user') return undefined;
  return prompt.segments.find((s) => s.name === `${part}[${last}]`)?.start;
}
