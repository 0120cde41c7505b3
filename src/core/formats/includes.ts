// Files a prompt pulls in (template includes, imports, partials, parent templates, CLAUDE.md `@imports`, vars files):
// resolved relative to the file that names them, read only inside the workspace or repository root, with cycles and
// depth bounded. Reading goes through `ExtractContext.readFile`, so the core stays testable and never touches the disk
// unless its caller hands it a reader (the CLI and the audit worker pass `diskReader(root)`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { looksBinary } from '../text';

/** What extraction needs to read other files: the root it may read under and a reader. */
export interface FileAccess {
  /** Absolute path of the file being extracted, when it is a file on disk (else only its name is known). */
  fileName: string;
  /** Workspace or repository root: nothing outside it is read. Without a root, no other file is read. */
  root?: string;
  /** Reads a file by absolute path; undefined when it is missing or unreadable. */
  readFile?: (absolutePath: string) => string | undefined;
}

/** Includes nest at most this deep (Claude Code's own limit for CLAUDE.md imports is 5 hops). */
export const MAX_INCLUDE_DEPTH = 8;
/** A file larger than this is not read as a template or vars file. */
const MAX_INCLUDED_BYTES = 2 * 1024 * 1024;

export type Resolved = { ok: true; path: string; rel: string; source: string } | { ok: false; problem: string };

export class IncludeResolver {
  readonly root?: string;
  private readonly mainPath?: string;
  /** Files read, relative to the root, in first-read order. */
  readonly read: string[] = [];
  private readonly cache = new Map<string, string | undefined>();

  constructor(private readonly access: FileAccess) {
    this.root = access.root ? path.resolve(access.root) : undefined;
    this.mainPath = this.root && access.readFile ? path.resolve(this.root, access.fileName) : undefined;
  }

  /** True when other files can be read at all. */
  get enabled(): boolean {
    return this.root !== undefined && this.access.readFile !== undefined;
  }

  /** Absolute path of the file being extracted (when it lies on disk). */
  get main(): string | undefined {
    return this.mainPath;
  }

  /**
   * Resolves `name` as written in `from` (absolute path, or undefined for the main file): relative to `from`'s folder
   * first, then the main file's folder, then the root (where Jinja's FileSystemLoader looks). `extensions` are tried
   * when the name has none (`{{> footer}}` → `footer.hbs`); `prefixes` are tried on the file name first (Dotprompt's
   * `{{> style}}` is `_style.prompt`).
   */
  resolve(name: string, from: string | undefined, extensions: readonly string[] = [], prefixes: readonly string[] = []): Resolved {
    if (!this.enabled) return { ok: false, problem: `\`${name}\` is not read: no workspace or repository root is known` };
    const root = this.root!;
    const fromDir = path.dirname(from ?? this.mainPath ?? path.join(root, 'x'));
    const dirs = name.startsWith('/') ? [root] : name.startsWith('./') || name.startsWith('../') ? [fromDir] : [fromDir, path.dirname(this.mainPath ?? fromDir), root];
    const plain = path.extname(name) ? [name] : [name, ...extensions.map((e) => name + e)];
    const prefixed = prefixes.flatMap((p) => plain.map((n) => path.posix.join(path.posix.dirname(n), p + path.posix.basename(n))));
    const names = [...prefixed, ...plain];
    let outside = false;
    const tried: string[] = [];
    for (const d of [...new Set(dirs)]) {
      for (const n of names) {
        const abs = path.resolve(d, n.replace(/^\/+/, ''));
        if (!isInside(root, abs)) {
          outside = true;
          continue;
        }
        const rel = path.relative(root, abs).split(path.sep).join('/');
        tried.push(rel);
        const source = this.readOnce(abs);
        if (source !== undefined) {
          if (!this.read.includes(rel)) this.read.push(rel);
          return { ok: true, path: abs, rel, source };
        }
      }
    }
    if (outside && tried.length === 0) return { ok: false, problem: `\`${name}\` lies outside the workspace root (${root}); it is not read` };
    return { ok: false, problem: `\`${name}\` was not found (looked for ${[...new Set(tried)].map((t) => `\`${t}\``).join(', ')})` };
  }

  /** Reads a file by absolute path inside the root (vars files, promptfoo configs); undefined when missing. */
  readInside(abs: string): string | undefined {
    if (!this.enabled || !isInside(this.root!, abs)) return undefined;
    const s = this.readOnce(abs);
    if (s !== undefined) {
      const rel = path.relative(this.root!, abs).split(path.sep).join('/');
      if (!this.read.includes(rel)) this.read.push(rel);
    }
    return s;
  }

  relative(abs: string): string {
    return this.root ? path.relative(this.root, abs).split(path.sep).join('/') : path.basename(abs);
  }

  private readOnce(abs: string): string | undefined {
    if (!this.cache.has(abs)) this.cache.set(abs, this.access.readFile!(abs));
    return this.cache.get(abs);
  }
}

function isInside(root: string, abs: string): boolean {
  const rel = path.relative(root, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * A reader of regular text files under `root` (symlinks that lead outside it are refused), for the CLI and the audit
 * worker. Binary, invalid UTF-8 and very large files read as missing: the problem then names the file.
 */
export function diskReader(root: string): (absolutePath: string) => string | undefined {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return () => undefined;
  }
  return (abs) => {
    try {
      const real = fs.realpathSync(abs);
      if (!isInside(realRoot, real)) return undefined;
      const st = fs.statSync(real);
      if (!st.isFile() || st.size > MAX_INCLUDED_BYTES) return undefined;
      const buf = fs.readFileSync(real);
      if (looksBinary(buf)) return undefined;
      return new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      return undefined;
    }
  };
}
