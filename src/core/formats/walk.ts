// Folder walks (the CLI's `lint <dir>`): every file some format claims, in dot-directories that hold prompts too
// (`.github/`, `.cursor/`, `.clinerules/`…), never in `.git/` or `node_modules/`. Unreadable folders are skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPromptFileName } from './registry';

/** Dot-directories entered by folder walks: agents and editors keep prompts there. */
export const PROMPT_DOT_DIRECTORIES: readonly string[] = ['.github', '.cursor', '.clinerules', '.windsurf', '.claude', '.gemini', '.codex', '.vscode', '.prompts', '.continue', '.roo', '.kiro'];
const NEVER = new Set(['.git', 'node_modules']);

/** Files under `dir` that a format claims, sorted, as paths joined to `dir`. */
export function walkPromptFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (NEVER.has(e.name)) continue;
        if (e.name.startsWith('.') && !PROMPT_DOT_DIRECTORIES.includes(e.name) && e.name !== '.clinerules') continue;
        visit(full, relPath);
      } else if (e.isFile() && isPromptFileName(relPath)) {
        out.push(full);
      }
    }
  };
  visit(dir, '');
  return out.sort();
}
