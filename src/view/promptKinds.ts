// Which kinds of file the extension watches, in words, from the `promptCache.include` globs: the panel, the walkthrough
// and the "open a prompt file first" notice say it, so a file that gets no status item is not a mystery.
// (The "formats" change adds a describePromptFileKinds() to src/core/promptFiles.ts; this reads the globs until then.)

const KINDS: { kind: string; globs: RegExp }[] = [
  { kind: 'agent instruction files (CLAUDE.md, AGENTS.md, .github/copilot-instructions.md)', globs: /(^|\/)(CLAUDE|AGENTS|GEMINI)(\.local)?\.md$|copilot-instructions\.md$/ },
  { kind: 'VS Code prompt files (*.prompt.md, *.instructions.md, *.agent.md, *.chatmode.md)', globs: /\*\.(prompt|instructions|agent|chatmode)\.md$/ },
  { kind: 'Prompty (*.prompty)', globs: /\*\.prompty$/ },
  { kind: 'templates (Jinja, Handlebars, Mustache, Liquid)', globs: /\{?(j2|jinja|hbs|mustache|liquid)/ },
  { kind: 'text and Markdown in prompts/ folders', globs: /prompts\/.*\.\{?(md|txt)/ },
  { kind: 'JSON request bodies in prompts/ folders', globs: /prompts\/.*\.json$/ },
];

/** "agent instruction files (…), VS Code prompt files (…), …, and system-prompt.md" for a list of include globs. */
export function describeWatchedKinds(include: readonly string[]): string {
  const kinds: string[] = [];
  const other: string[] = [];
  for (const g of include) {
    const k = KINDS.find((x) => x.globs.test(g));
    if (k) {
      if (!kinds.includes(k.kind)) kinds.push(k.kind);
    } else other.push(g);
  }
  // Shown in the order of KINDS, not of the setting: the most asked-about first.
  kinds.sort((a, b) => KINDS.findIndex((k) => k.kind === a) - KINDS.findIndex((k) => k.kind === b));
  const parts = [...kinds, ...other];
  if (parts.length === 0) return 'no files (promptCache.include is empty)';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The sentence shown where there is no prompt file to show. */
export function noPromptFileMessage(include: readonly string[]): string {
  return `Open a prompt file to see its heatmap. Watched (promptCache.include): ${describeWatchedKinds(include)}.`;
}
