// Glob matching for `promptCache.include` / `promptCache.exclude`, kept free of `vscode` so it is unit-tested.
// Supports what VS Code's own glob settings use: `**`, `*`, `?`, `{a,b}` (nestable), `[...]` classes.

/** Defaults of `promptCache.include` / `promptCache.exclude` (package.json declares the same; a test checks). */
export const DEFAULT_INCLUDE: readonly string[] = [
  '**/*.prompt.md', '**/*.instructions.md', '**/*.agent.md', '**/*.chatmode.md', '**/*.prompty',
  '**/*.{j2,jinja,jinja2,hbs,mustache,liquid}', '**/prompts/**/*.{md,txt}', '**/prompts/**/*.json',
  // The files coding agents load as instructions (issue 13). The "formats" change owns this list; added here until it
  // lands, in the same order as package.json's default.
  '**/CLAUDE.md', '**/AGENTS.md', '**/.github/copilot-instructions.md',
];
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
