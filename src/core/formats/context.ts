// What a format module gets besides the source text: the file's name, how to read the files it pulls in, and the
// names fixed per deployment.
import { IncludeResolver } from './includes';

export interface ExtractOptions {
  /** Tokenize the file's text as is, whatever its format. */
  raw?: boolean;
  /**
   * Workspace or repository root. With `readFile`, includes, partials, imports and vars files are read, and only
   * inside it; `fileName` is then the file's path (absolute, or relative to the root).
   */
  root?: string;
  /** Reads a file by absolute path (undefined: missing or unreadable); `diskReader(root)` reads the disk. */
  readFile?: (absolutePath: string) => string | undefined;
  /** Template variables fixed per deployment (`promptCache.deploymentVariables`, `--deployment-var`). */
  deploymentVariables?: readonly string[];
  /** Variables to render templates with; `null`: never render with the engine (static reading only). */
  vars?: Record<string, unknown> | null;
}

export interface ExtractContext extends ExtractOptions {
  fileName: string;
  /** Resolves and reads the files the prompt pulls in (disabled without root + readFile). */
  includes: IncludeResolver;
}

export function extractContext(fileName: string, options: ExtractOptions): ExtractContext {
  return { ...options, fileName, includes: new IncludeResolver({ fileName, root: options.root, readFile: options.readFile }) };
}
