// POML (`.poml`, Microsoft's Prompt Orchestration Markup Language). The official renderer (pomljs) is not on the
// npm registry this project installs from, so this is a careful minimal reading of POML's documented default
// (Markdown) presentation, parsed with htmlparser2 in XML mode: intention components (`<role>`, `<task>`, `<hint>`,
// `<example>`, `<output-format>`, `<cp caption>`, `<section>`…) become headers (`# Role`) nested by depth, `<p>`
// paragraphs, `<list>`/`<item>` bullets, `<b>`/`<i>`/`<code>` Markdown; `<let>`, `<meta>`, `<stylesheet>` output
// nothing; `<system-msg>`/`<human-msg>`/`<ai-msg>` start messages. `{{ expr }}` and `for=`/`if=` attributes are
// placeholders; `<document src>`, `<img>`, `<table src>` stand for external content. Tool definitions and the
// output schema are sent with the request, not as text: a change to them is a full miss.
import type { parseDocument } from 'htmlparser2';
import { engineDeps } from '../lazy';
import type { ChildNode, Element } from 'domhandler';
import { RenderBuilder } from '../text';
import type { ExtractedPrompt, ParseProblem, PromptPlaceholder, PromptSegment, RequestKey } from '../types';
import type { ExtractContext } from './context';
import { canonicalJson } from './frontMatter';
import type { PromptFormatModule } from './registry';
import { RequestScope } from './templateNames';

/** Captions of the intention components (POML's defaults). */
const CAPTIONS: Record<string, string> = {
  role: 'Role', task: 'Task', hint: 'Hint', example: 'Example', examples: 'Examples', 'output-format': 'Output Format', outputformat: 'Output Format',
  'stepwise-instructions': 'Stepwise Instructions', stepwiseinstructions: 'Stepwise Instructions', question: 'Question', introducer: '', 'examples-set': 'Examples',
  exampleset: 'Examples', input: 'Input', output: 'Output', qa: 'Question', instructions: 'Instructions',
};
const SILENT = new Set(['let', 'meta', 'stylesheet', 'include-schema', 'runtime']);
const REQUEST_ELEMENTS: Record<string, string> = {
  'tool-definition': 'the tool schemas sent ahead of the prompt change', tooldefinition: 'the tool schemas sent ahead of the prompt change', tool: 'the tool schemas sent ahead of the prompt change',
  'output-schema': 'the response schema sent with the prompt changes', outputschema: 'the response schema sent with the prompt changes',
};
const MESSAGES: Record<string, string> = { 'system-msg': 'system', systemmessage: 'system', 'human-msg': 'user', humanmessage: 'user', 'user-msg': 'user', 'ai-msg': 'assistant', aimessage: 'assistant' };
const TEXT_DOCUMENT = /\.(txt|md|markdown|py|js|ts|tsx|jsx|json|ya?ml|csv|tsv|html?|xml|java|cs|go|rs|rb|php|c|cc|cpp|h|hpp|sh|sql|toml|ini|cfg)$/i;
const EXTERNAL = new Set(['document', 'img', 'table', 'audio', 'webpage', 'folder', 'tree', 'object', 'obj']);

export const pomlFormat: PromptFormatModule = {
  id: 'poml',
  description: 'POML (`.poml`): markup read as its default Markdown presentation (a minimal reading; pomljs is not on npm here)',
  fileNames: ['**/*.poml'],
  extract(source, ctx) {
    const r = new PomlReader(source, ctx);
    return r.read();
  },
};

class PomlReader {
  private readonly b = new RenderBuilder();
  private readonly placeholders: PromptPlaceholder[] = [];
  private readonly problems: ParseProblem[] = [];
  private readonly segments: PromptSegment[] = [];
  private readonly hardBoundaries: number[] = [];
  private readonly requestKeys: Record<string, RequestKey> = {};
  private readonly scope: RequestScope;
  private firstVariableOffset: number | null = null;
  /** Pending separation before the next block (blank line between blocks). */
  private needBreak = false;

  constructor(private readonly source: string, private readonly ctx?: ExtractContext) {
    this.scope = new RequestScope(ctx?.deploymentVariables);
  }

  read(): ExtractedPrompt {
    let doc: ReturnType<typeof parseDocument>;
    try {
      doc = engineDeps().parseDocument(this.source, { xmlMode: true, withStartIndices: true, withEndIndices: true, decodeEntities: false, recognizeSelfClosing: true });
    } catch (e) {
      this.problems.push({ message: `POML could not be parsed: ${(e as Error).message}`, severity: 'error', start: 0, end: Math.min(1, this.source.length) });
      return this.result();
    }
    this.checkClosed();
    this.children(doc.children, 0);
    return this.result();
  }

  private result(): ExtractedPrompt {
    const p: ExtractedPrompt = {
      format: 'poml', text: this.b.text, map: this.b.map, segments: this.segments, firstVariableOffset: this.firstVariableOffset, problems: this.problems,
      breakpoints: [], blocks: [], placeholders: this.placeholders,
    };
    const hard = [...new Set(this.hardBoundaries)].filter((h) => h > 0 && h < this.b.length).sort((a, b) => a - b);
    if (hard.length) p.hardBoundaries = hard;
    if (Object.keys(this.requestKeys).length) p.requestKeys = this.requestKeys;
    if (this.ctx?.includes.read.length) p.includedFiles = [...this.ctx.includes.read];
    return p;
  }

  /** htmlparser2 closes unclosed tags silently: say so, at the tag. */
  private checkClosed(): void {
    const stack: { name: string; at: number }[] = [];
    for (const m of this.source.matchAll(/<(\/?)([A-Za-z][\w-]*)[^<>]*?(\/?)>/g)) {
      if (m[3] === '/') continue;
      if (m[1] === '') stack.push({ name: m[2], at: m.index ?? 0 });
      else {
        const i = stack.map((s) => s.name).lastIndexOf(m[2]);
        if (i >= 0) for (const s of stack.splice(i).slice(1)) this.unclosed(s);
      }
    }
    for (const s of stack) this.unclosed(s);
  }

  private unclosed(s: { name: string; at: number }): void {
    this.problems.push({ message: `<${s.name}> is not closed; POML would reject the file.`, severity: 'error', start: s.at, end: s.at + s.name.length + 1 });
  }

  private block(): void {
    if (this.b.length > 0) this.needBreak = true;
  }

  private sep(at: number): void {
    if (this.needBreak && this.hardBoundaries[this.hardBoundaries.length - 1] === this.b.length) this.needBreak = false; // a message starts here
    if (this.needBreak) {
      // Blocks are separated by one blank line, however many block edges meet here (a caption then a nested one).
      const t = this.b.text;
      const have = t.endsWith('\n\n') ? 2 : t.endsWith('\n') ? 1 : 0;
      this.b.synth('\n\n'.slice(have), at);
      this.needBreak = false;
    }
  }

  private children(nodes: ChildNode[], depth: number): void {
    for (const n of nodes) this.node(n, depth);
  }

  private node(n: ChildNode, depth: number): void {
    if (n.type === 'text') return this.text(n.data, n.startIndex ?? 0);
    if (n.type === 'comment' || n.type === 'directive') return;
    if (n.type === 'cdata') return this.children(n.children, depth);
    if (n.type !== 'tag') return;
    const el = n as Element;
    const name = el.name.toLowerCase();
    const start = el.startIndex ?? 0;
    const end = (el.endIndex ?? start) + 1;
    for (const attr of ['for', 'if']) {
      const v = el.attribs[attr];
      if (v !== undefined) this.placeholder('control', `${attr}="${v}"`, attr === 'for' ? v.replace(/^\s*\w+\s+in\s+/, '') : v, start, end, true);
    }
    if (name === 'let') {
      const nm = el.attribs.name;
      const reads = jsNames(el.attribs.value ?? '');
      if (nm) this.scope.visit({ reads, binds: [nm] });
      return;
    }
    if (name === 'runtime') {
      // `<runtime model="…">` picks the model the request goes to; sampling settings do not touch the prefix.
      const model = el.attribs.model;
      if (model !== undefined) this.requestKeys['<runtime> model'] = { value: canonicalJson(model), start, end, why: 'another model: a cold cache' };
      return;
    }
    if (SILENT.has(name)) return;
    if (REQUEST_ELEMENTS[name] !== undefined) {
      const key = `<${name}>${el.attribs.name ? ` ${el.attribs.name}` : ''}`;
      this.requestKeys[key] = { value: canonicalJson(this.source.slice(start, end).replace(/\s+/g, ' ')), start, end, why: REQUEST_ELEMENTS[name] };
      return;
    }
    if (MESSAGES[name] !== undefined) {
      const open = this.segments[this.segments.length - 1];
      if (open?.name.startsWith('messages[') && open.end < this.b.length) open.end = this.b.length;
      if (this.b.length > 0) this.hardBoundaries.push(this.b.length);
      this.needBreak = false;
      const seg = { name: `messages[${this.segments.filter((s) => s.name.startsWith('messages[')).length}] (${MESSAGES[name]})`, start: this.b.length, end: this.b.length };
      this.segments.push(seg);
      this.children(el.children, depth);
      seg.end = this.b.length;
      // What follows a message is another message (POML sends text outside messages as a human message).
      this.hardBoundaries.push(this.b.length);
      this.needBreak = false;
      return;
    }
    if (name === 'document' && this.inlineDocument(el, start, end)) return;
    if (EXTERNAL.has(name)) {
      this.block();
      this.sep(start);
      const src = el.attribs.src ?? el.attribs.url ?? el.attribs.data ?? '';
      this.placeholder('output', `<${name}${src ? ` src="${src}"` : ''}>`, /\{\{/.test(src) ? src.replace(/[{}]/g, ' ') : '', start, end, false);
      this.block();
      return;
    }
    const caption = name === 'cp' || name === 'captionedparagraph' || name === 'section' ? el.attribs.caption : el.attribs.caption ?? CAPTIONS[name];
    if (caption !== undefined || name === 'p' || name === 'paragraph' || name === 'list' || name === 'code' && el.attribs.inline !== 'true') {
      this.block();
      this.sep(start);
    }
    switch (name) {
      case 'b':
      case 'bold':
        return this.wrap('**', el, depth);
      case 'i':
      case 'italic':
        return this.wrap('*', el, depth);
      case 'code':
        if (el.attribs.inline === 'true') return this.wrap('`', el, depth);
        this.b.synth(`\`\`\`${el.attribs.lang ?? ''}\n`, start);
        this.children(el.children, depth);
        this.b.synth('\n```', end);
        this.block();
        return;
      case 'list': {
        let i = 0;
        for (const c of el.children) {
          if (c.type !== 'tag') continue;
          const it = c as Element;
          this.b.synth(i > 0 ? '\n' : '', it.startIndex ?? start);
          this.b.synth(el.attribs.listStyle === 'decimal' ? `${++i}. ` : (i++, '- '), it.startIndex ?? start);
          this.children(it.children, depth + 1);
        }
        this.block();
        return;
      }
    }
    if (caption) {
      const level = Math.min(6, depth + 1);
      this.b.synth(el.attribs.captionStyle === 'bold' ? `**${caption}:** ` : el.attribs.captionStyle === 'hidden' ? '' : `${'#'.repeat(level)} ${caption}\n\n`, start, end);
    }
    this.children(el.children, caption !== undefined ? depth + 1 : depth);
    if (caption !== undefined || name === 'p' || name === 'paragraph') this.block();
  }

  /**
   * A plain-text `<document src>` (parser `txt`/`text`, or a source or text file) is inlined as POML does, read from
   * the workspace relative to the .poml file; PDFs, Word files and computed sources stay markers.
   */
  private inlineDocument(el: Element, start: number, end: number): boolean {
    const src = el.attribs.src;
    const parser = (el.attribs.parser ?? '').toLowerCase();
    if (!src || /\{\{/.test(src) || !this.ctx?.includes.enabled) return false;
    const textual = parser === 'txt' || parser === 'text' || (parser === '' && TEXT_DOCUMENT.test(src));
    if (!textual) return false;
    const r = this.ctx.includes.resolve(src, undefined);
    if (!r.ok) {
      this.problems.push({ message: `<document src="${src}">: ${r.problem}; POML would fail to read it.`, severity: 'warning', start, end });
      return false;
    }
    this.block();
    this.sep(start);
    this.b.synth(r.source.replace(/\s+$/, ''), start, end);
    this.block();
    return true;
  }

  private wrap(mark: string, el: Element, depth: number): void {
    this.b.synth(mark, el.startIndex ?? 0);
    this.children(el.children, depth);
    this.b.synth(mark, el.endIndex ?? 0);
  }

  /** Text: trimmed at block edges (POML trims children's white space), `{{ }}` expressions as placeholders. */
  private text(raw: string, at: number): void {
    let s = 0;
    let e = raw.length;
    // White space that holds a line break is layout (dropped, as POML trims children); spaces between inline
    // elements are kept.
    while (s < e && /\s/.test(raw[s])) s++;
    if (!/\n/.test(raw.slice(0, s)) && !(this.needBreak || this.b.length === 0 || this.b.text.endsWith('\n'))) s = 0;
    const tail = raw.slice(s).match(/\s*$/)![0];
    if (/\n/.test(tail)) e -= tail.length;
    if (e <= s) return;
    this.sep(at + s);
    const re = /\{\{([\s\S]*?)\}\}/g;
    let pos = s;
    for (let m = re.exec(raw); m; m = re.exec(raw)) {
      if (m.index < s || m.index >= e) continue;
      this.copyText(raw.slice(pos, m.index), at + pos);
      this.placeholder('output', `{{ ${m[1].trim()} }}`, m[1], at + m.index, at + m.index + m[0].length, true);
      pos = m.index + m[0].length;
    }
    this.copyText(raw.slice(pos, Math.max(pos, e)), at + pos);
  }

  /** Copies text, decoding XML entities (decoded characters map to their entity). */
  private copyText(t: string, at: number): void {
    const re = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi;
    let pos = 0;
    for (let m = re.exec(t); m; m = re.exec(t)) {
      this.b.copy(t.slice(pos, m.index), at + pos);
      const ent = m[1].toLowerCase();
      const ch = ent === 'lt' ? '<' : ent === 'gt' ? '>' : ent === 'amp' ? '&' : ent === 'quot' ? '"' : ent === 'apos' ? "'" : String.fromCodePoint(ent.startsWith('#x') ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10));
      this.b.synth(ch, at + m.index, at + m.index + m[0].length);
      pos = m.index + m[0].length;
    }
    this.b.copy(t.slice(pos), at + pos);
  }

  private placeholder(kind: 'output' | 'control', expr: string, reads: string, start: number, end: number, rendered: boolean): void {
    const names = jsNames(reads);
    const variable = this.scope.visit({ reads: names, binds: [] });
    const renderedStart = this.b.length;
    if (rendered && kind === 'output') this.b.synth(expr, start, end);
    else if (kind === 'output') this.b.synth(expr, start, end);
    if (variable && this.firstVariableOffset === null) this.firstVariableOffset = renderedStart;
    const perDeployment = !variable && names.length > 0 && names.every((n) => this.scope.isDeployment(n));
    this.placeholders.push({ kind, expr, variable, renderedStart, renderedEnd: this.b.length, sourceStart: start, sourceEnd: end, names, ...(perDeployment ? { perDeployment } : {}) });
  }
}

const JS_WORDS = new Set(['true', 'false', 'null', 'undefined', 'in', 'of', 'typeof', 'new', 'loop', 'this']);

/** Free identifiers of a POML (JavaScript) expression. */
function jsNames(expr: string): string[] {
  const s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
  const out: string[] = [];
  for (const m of s.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const before = s.slice(0, m.index).trimEnd();
    if (before.endsWith('.') || JS_WORDS.has(m[0])) continue;
    if (!out.includes(m[0])) out.push(m[0]);
  }
  return out;
}
