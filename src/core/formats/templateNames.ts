// Which variables a template tag reads, so that "can vary per request" is decided by names, not by the tag's shape:
// `{{ cli_mode }}` declared fixed per deployment, `{% for i in range(3) %}`, `{{ "literal" }}` and `{% endif %}`
// end no cacheable prefix; `{{ user.name }}` and `{% if user.premium %}` do. Locals a template binds itself (set/for
// targets, macro parameters, import aliases, Handlebars block contexts) count as what they were bound from.

/** Words of the Jinja/Liquid expression languages that are not variables. */
const JINJA_WORDS = new Set([
  'and', 'or', 'not', 'in', 'is', 'if', 'else', 'elif', 'elsif', 'endif', 'for', 'endfor', 'true', 'false', 'none', 'True', 'False', 'None', 'null', 'nil',
  'empty', 'blank', 'recursive', 'with', 'without', 'context', 'ignore', 'missing', 'only', 'as', 'import', 'from', 'include', 'extends', 'block',
  'endblock', 'macro', 'endmacro', 'call', 'endcall', 'filter', 'endfilter', 'set', 'endset', 'raw', 'endraw', 'autoescape', 'endautoescape',
  'endwith', 'do', 'break', 'continue', 'scoped', 'required', 'assign', 'capture', 'endcapture', 'unless', 'endunless', 'case', 'when', 'endcase',
  'render', 'layout', 'tablerow', 'endtablerow', 'cycle', 'increment', 'decrement', 'echo', 'liquid', 'contains', 'by', 'limit', 'offset', 'reversed',
  'comment', 'endcomment', 'trans', 'endtrans', 'pluralize',
]);

/** Globals every Jinja environment has: calling them reads no request data. */
const JINJA_GLOBALS = new Set(['range', 'dict', 'cycler', 'joiner', 'lipsum', 'namespace', 'loop', 'super', 'caller', 'self', 'varargs', 'kwargs', 'forloop', 'tablerowloop']);

/** Built-in Handlebars helpers and Dotprompt's: names in helper position, not variables. */
const HANDLEBARS_HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'else', 'role', 'section', 'history', 'media', 'json', 'ifEquals', 'unlessEquals']);

function stripStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
}

/** Free identifiers of a Jinja/Liquid expression: not attributes, filters, tests, keywords or keyword-argument names. */
export function jinjaExpressionNames(expr: string): string[] {
  const s = stripStrings(expr);
  const out: string[] = [];
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const w = m[0];
    const before = s.slice(0, m.index).trimEnd();
    const after = s.slice(m.index + w.length).trimStart();
    if (before.endsWith('.') || before.endsWith('|')) continue; // attribute or filter
    if (/(?:^|\s)is(?:\s+not)?$/.test(before)) continue; // a test (`x is defined`)
    if (after.startsWith('=') && !after.startsWith('==') && /[(,]$/.test(before)) continue; // keyword argument name
    if (after.startsWith(':') && /[{,]$/.test(before)) continue; // Liquid named argument / dict key in braces
    if (/^\d/.test(w) || JINJA_WORDS.has(w) || JINJA_GLOBALS.has(w)) continue;
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

export interface TagNames {
  /** Names the tag reads. */
  reads: string[];
  /** Locals the tag binds (set/for/macro/import/assign/capture targets). */
  binds: string[];
  /** Locals bound for the tag's block only that are not read from request data (macro parameters). */
  neutral?: string[];
}

/** What a Jinja/Liquid tag reads and binds. `kind` is output (`{{ }}`) or control (`{% %}`). */
export function jinjaTagNames(kind: 'output' | 'control', expr: string): TagNames {
  if (kind === 'output') return { reads: jinjaExpressionNames(expr), binds: [] };
  const word = expr.split(/\s+/)[0];
  const rest = expr.slice(word.length);
  switch (word) {
    case 'set':
    case 'assign': {
      const m = /^\s*([\w\s,()]+?)\s*=(?!=)([\s\S]*)$/.exec(rest);
      if (m) return { reads: jinjaExpressionNames(m[2]), binds: names(m[1]) };
      return { reads: [], binds: names(rest) }; // block set / capture: the body decides
    }
    case 'capture':
      return { reads: [], binds: names(rest) };
    case 'for':
    case 'tablerow': {
      const m = /^\s*([\w\s,()]+?)\s+in\s+([\s\S]*)$/.exec(rest);
      if (m) return { reads: jinjaExpressionNames(m[2]), binds: names(m[1]) };
      return { reads: jinjaExpressionNames(rest), binds: [] };
    }
    case 'macro': {
      const m = /^\s*(\w+)\s*\(([\s\S]*)\)\s*$/.exec(rest);
      if (!m) return { reads: [], binds: names(rest) };
      const params = m[2].split(',').map((p) => p.split('=')[0].trim()).filter(Boolean);
      const defaults = m[2].split(',').map((p) => p.split('=').slice(1).join('=')).join(' ');
      return { reads: jinjaExpressionNames(defaults), binds: [m[1]], neutral: params };
    }
    case 'import': {
      const m = /\bas\s+(\w+)/.exec(rest);
      return { reads: [], binds: m ? [m[1]] : [] };
    }
    case 'from': {
      const m = /\bimport\s+([\s\S]+?)(?:\s+with(?:out)?\s+context)?\s*$/.exec(rest);
      const bound = m ? m[1].split(',').map((p) => p.trim().split(/\s+as\s+/).pop()!.trim()).filter(Boolean) : [];
      return { reads: [], binds: bound };
    }
    case 'include':
    case 'extends':
    case 'render':
    case 'layout':
      // A literal template name reads nothing; a computed one reads its names.
      return { reads: /^\s*["']/.test(rest) ? jinjaExpressionNames(rest.replace(/^\s*(["'])(?:[^"'\\]|\\.)*\1/, '')) : jinjaExpressionNames(rest), binds: [] };
    case 'block':
    case 'endblock':
    case 'raw':
    case 'endraw':
    case 'comment':
    case 'endcomment':
      return { reads: [], binds: [] };
    default:
      if (word.startsWith('end') || word === 'else' || word === 'break' || word === 'continue') return { reads: [], binds: [] };
      return { reads: jinjaExpressionNames(rest), binds: [] };
  }
}

function names(s: string): string[] {
  return (s.match(/[A-Za-z_]\w*/g) ?? []).filter((w) => !JINJA_WORDS.has(w));
}

/**
 * What a Handlebars/Mustache tag reads: the head of each path (`user` of `user.name`, `../user`), not helper names,
 * `this`, `@index`-style data or literals. `{{#each items}}` reads `items`; `{{> partial}}` reads nothing.
 */
export function handlebarsTagNames(expr: string): TagNames {
  let e = expr.trim();
  if (e.startsWith('{') && e.endsWith('}')) e = e.slice(1, -1).trim();
  const sigil = e[0] ?? '';
  if (sigil === '!' || sigil === '/' || sigil === '>' || sigil === '=') return { reads: [], binds: [] };
  if ('#^&'.includes(sigil)) e = e.slice(1).trim();
  if (e === 'else' || e.startsWith('else ')) e = e.slice(4).trim();
  const s = stripStrings(e).replace(/\bas\s+\|[^|]*\|/, '');
  const tokens = s.match(/[^\s()=]+(?==)?|=/g) ?? [];
  const reads: string[] = [];
  let head = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '=') continue;
    const isHashKey = tokens[i + 1] === '=';
    const isHelper = head && (HANDLEBARS_HELPERS.has(t) || tokens.length > 1);
    head = false;
    if (isHashKey || isHelper) continue;
    if (t === '""' || /^-?\d/.test(t) || t === 'true' || t === 'false' || t === 'null' || t === 'undefined') continue;
    if (t.startsWith('@')) continue; // @index, @key, @root (data, not request variables… @root reads the root context)
    const path = t.replace(/^(\.\.\/)+/, '').replace(/^this\.?/, '').replace(/^\.\/?/, '');
    const name = path.split(/[./[]/)[0];
    if (name && !reads.includes(name)) reads.push(name);
  }
  return { reads, binds: [] };
}

/**
 * Tracks per-request-ness through a template in source order: a name is per request unless it is declared fixed per
 * deployment or is a local bound from names that are not per request.
 */
export class RequestScope {
  private readonly deployment: ReadonlySet<string>;
  private readonly locals = new Map<string, boolean>();
  constructor(deploymentVariables: readonly string[] = []) {
    this.deployment = new Set(deploymentVariables);
  }
  /** Whether a name read here can vary per request. */
  perRequest(name: string): boolean {
    const local = this.locals.get(name);
    if (local !== undefined) return local;
    return !this.deployment.has(name);
  }
  isDeployment(name: string): boolean {
    return this.deployment.has(name) && !this.locals.has(name);
  }
  /** Records a tag: returns whether it reads request data, after binding its locals. */
  visit(t: TagNames): boolean {
    const variable = t.reads.some((n) => this.perRequest(n));
    for (const n of t.neutral ?? []) this.locals.set(n, false);
    for (const n of t.binds) this.locals.set(n, variable);
    return variable;
  }
}
