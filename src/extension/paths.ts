// Resolving a path that came from the webview: only files inside a workspace folder are opened.
import { realpathSync } from 'node:fs';
import * as path from 'node:path';

function inside(root: string, abs: string): boolean {
  const rel = path.relative(root, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Absolute path of `relative` inside one of `roots`, or undefined when it escapes every root. Checked twice:
 * lexically, then after resolving symlinks (a link inside the workspace may point outside it). A path that does
 * not exist is refused: there is nothing to open.
 */
export function resolveInsideRoots(relative: string, roots: readonly string[]): string | undefined {
  if (relative.includes('\0')) return undefined;
  for (const root of roots) {
    const abs = path.resolve(root, relative);
    if (!inside(root, abs)) continue;
    try {
      if (inside(realpathSync(root), realpathSync(abs))) return abs;
    } catch {
      // missing file or root: not openable
    }
  }
  return undefined;
}
