// Resolving a path that came from the webview: only files inside a workspace folder are opened.
import * as path from 'node:path';

/** Absolute path of `relative` inside one of `roots`, or undefined when it escapes every root. */
export function resolveInsideRoots(relative: string, roots: readonly string[]): string | undefined {
  if (relative.includes('\0')) return undefined;
  for (const root of roots) {
    const abs = path.resolve(root, relative);
    const rel = path.relative(root, abs);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return abs;
  }
  return undefined;
}
