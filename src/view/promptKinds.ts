// Which kinds of file the extension watches, in words, from the `promptCache.include` globs: the panel, the walkthrough
// and the "open a prompt file first" notice say it, so a file that gets no status item is not a mystery. The kinds and
// their labels have one home, src/core/promptFiles.ts (PROMPT_FILE_KINDS).
import { describePromptFileKinds } from '../core/promptFiles';

/** "VS Code prompt files, instructions and agents, Prompty, …, CLAUDE.md, … and system-prompt.md" for include globs. */
export function describeWatchedKinds(include: readonly string[]): string {
  const parts = describePromptFileKinds(include);
  if (parts.length === 0) return 'no files (promptCache.include is empty)';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The sentence shown where there is no prompt file to show. */
export function noPromptFileMessage(include: readonly string[]): string {
  return `Open a prompt file to see its heatmap. Watched (promptCache.include): ${describeWatchedKinds(include)}.`;
}
