// Glob matching for `promptCache.include` / `promptCache.exclude`, kept free of `vscode` so it is unit-tested.
// Supports what VS Code's own glob settings use: `**`, `*`, `?`, `{a,b}` (nestable), `[...]` classes.

/**
 * The kinds of prompt files watched by default, each with its globs: the one home of `promptCache.include`'s default
 * (package.json declares the same list; a test checks). Light on purpose: the extension host reads it at activation.
 */
export const PROMPT_FILE_KINDS: readonly { label: string; include: readonly string[] }[] = [
  { label: 'VS Code prompt files, instructions and agents', include: ['**/*.prompt.md', '**/*.instructions.md', '**/*.agent.md', '**/*.chatmode.md', '**/.github/agents/*.md'] },
  { label: 'Prompty', include: ['**/*.prompty'] },
  { label: 'Dotprompt (.prompt)', include: ['**/*.prompt'] },
  { label: 'POML (.poml)', include: ['**/*.poml'] },
  { label: 'Templates (Jinja, Handlebars, Mustache, Liquid)', include: ['**/*.{j2,jinja,jinja2,hbs,handlebars,mustache,liquid}'] },
  { label: 'CLAUDE.md', include: ['**/CLAUDE.md', '**/CLAUDE.local.md'] },
  { label: 'Claude Code rules (.claude/rules)', include: ['**/.claude/rules/**/*.md'] },
  { label: 'AGENTS.md', include: ['**/AGENTS.md'] },
  { label: 'GEMINI.md', include: ['**/GEMINI.md'] },
  { label: 'GitHub Copilot instructions', include: ['**/.github/copilot-instructions.md', '**/.github/instructions/**', '**/.github/prompts/**'] },
  { label: 'Cursor rules', include: ['**/.cursor/rules/**/*.mdc', '**/.cursorrules'] },
  { label: 'Windsurf rules', include: ['**/.windsurfrules', '**/.windsurf/rules/**/*.md'] },
  { label: 'Cline rules', include: ['**/.clinerules', '**/.clinerules/**'] },
  { label: 'prompts/ folders (text, Markdown, JSON request bodies)', include: ['**/prompts/**/*.{md,txt}', '**/prompts/**/*.json'] },
];

/** Defaults of `promptCache.include` / `promptCache.exclude` (package.json declares the same; a test checks). */
export const DEFAULT_INCLUDE: readonly string[] = PROMPT_FILE_KINDS.flatMap((k) => k.include);

/**
 * The kinds of files the tool watches under these include globs, for the extension to show ("Watching: CLAUDE.md,
 * Cursor rules, …"): the default kinds whose globs are all included, then any other glob as it is written.
 */
export function describePromptFileKinds(include: readonly string[] = DEFAULT_INCLUDE): string[] {
  const set = new Set(include);
  const kinds = PROMPT_FILE_KINDS.filter((k) => k.include.every((g) => set.has(g)));
  const covered = new Set(kinds.flatMap((k) => k.include));
  return [...kinds.map((k) => k.label), ...include.filter((g) => !covered.has(g))];
}
export const DEFAULT_EXCLUDE: readonly string[] = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/out/**'];

const cache = new Map<string, RegExp>();

/** Compiles a glob to an anchored RegExp over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  re = new RegExp('^' + translate(glob.replace(/\\/g, '/').replace(/^\.\//, '')) + '$');
  cache.set(glob, re);
  return re;
}

function translate(g: string): string {
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        // `**/` matches zero or more whole directories; a trailing `**` matches anything below.
        const atSegmentStart = i === 0 || g[i - 1] === '/';
        if (atSegmentStart && g[i + 2] === '/') {
          out += '(?:[^/]*/)*';
          i += 2;
          continue;
        }
        out += '.*';
        i += 1;
        continue;
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
    } else if (c === '[') {
      const close = g.indexOf(']', i + 1);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = g.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      out += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else {
      out += c.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  return out;
}

export interface PromptFilePatterns {
  include: readonly string[];
  exclude: readonly string[];
}

/**
 * True when a workspace-relative path is a prompt file: matches an include glob and no exclude glob.
 * Matching ignores case on the file name's extension only where the OS does; here it is exact, like VS Code on Linux.
 */
export function isPromptPath(relativePath: string, patterns: PromptFilePatterns): boolean {
  const p = relativePath.replace(/\\/g, '/').replace(/^\/+/, '');
  if (!patterns.include.some((g) => globToRegExp(g).test(p))) return false;
  return !patterns.exclude.some((g) => globToRegExp(g).test(p));
}
