// VS Code prompt files (`*.prompt.md`, `*.instructions.md`, `*.agent.md`, `*.chatmode.md`): YAML front matter that
// configures the request, then the Markdown body that is sent. `${input:…}`, `${selection}`… are substituted per
// request: the first one ends the part that is identical across requests.
import { RenderBuilder } from '../text';
import type { ExtractedPrompt, PromptPlaceholder } from '../types';
import { requestKeysOf, splitFrontMatter, type RequestKeySpec } from './frontMatter';
import { markdownSections } from './markdown';
import type { PromptFormatModule } from './registry';

const TOOLS = 'the tool schemas sent ahead of the prompt change';
const MODEL = 'another model: a cold cache';
const AGENT = 'the agent (mode) decides the system prompt and tools the request starts with';

/**
 * Front-matter keys that change the request, per kind of prompt file (VS Code's prompt files, custom instructions
 * and custom agents docs). `description`, `name`, `argument-hint`, `handoffs` and the like only show in pickers.
 */
export const PROMPT_FILE_REQUEST_KEYS: Record<'prompt' | 'instructions' | 'agent', RequestKeySpec> = {
  prompt: { tools: { why: TOOLS }, model: { why: MODEL }, mode: { why: AGENT }, agent: { why: AGENT } },
  instructions: {
    applyTo: { why: 'it decides which requests the instructions are attached to' },
    excludeAgent: { why: 'it decides which agents the instructions are attached for' },
    // Without applyTo, the agent reads the description to decide whether to load the file (on demand).
    description: { why: 'without `applyTo`, the agent is shown the description to decide whether to load the file', when: (d) => d.applyTo === undefined },
  },
  agent: { tools: { why: TOOLS }, model: { why: MODEL }, 'mcp-servers': { why: TOOLS }, target: { why: 'it decides where the agent runs' } },
};

function kindOf(fileName: string): keyof typeof PROMPT_FILE_REQUEST_KEYS {
  const f = fileName.toLowerCase();
  if (f.endsWith('.instructions.md')) return 'instructions';
  if (f.endsWith('.agent.md') || f.endsWith('.chatmode.md') || /(^|[\\/])\.github[\\/]agents[\\/][^\\/]+\.md$/.test(f)) return 'agent';
  return 'prompt';
}

// VS Code prompt files substitute `${input:name}`, `${selection}`, `${file}`… per request.
const PROMPT_FILE_VARIABLE = /\$\{(input:[^}]*|selection|selectedText|file|fileBasename|fileDirname|fileBasenameNoExtension|workspaceFolder|workspaceFolderBasename)\}/;

export const promptFileFormat: PromptFormatModule = {
  id: 'prompt-file',
  description: 'VS Code prompt files, custom instructions and agents (`*.prompt.md`, `*.instructions.md`, `*.agent.md`, `*.chatmode.md`, `.github/agents/*.md`)',
  // Copilot reads every Markdown file in `.github/agents/` as a custom agent (microsoft/vscode keeps `data.md` there).
  fileNames: ['**/*.{prompt,instructions,agent,chatmode}.md', '**/.github/agents/*.md'],
  extract(source, ctx) {
    const fm = splitFrontMatter(source);
    const p = promptFileBody(source, fm.bodyStart);
    p.problems.unshift(...fm.problems);
    if (fm.range) p.frontMatter = fm.range;
    const keys = requestKeysOf(fm, PROMPT_FILE_REQUEST_KEYS[kindOf(ctx.fileName)]);
    if (Object.keys(keys).length) p.requestKeys = keys;
    return p;
  },
};

function promptFileBody(sourceText: string, bodyStart: number): ExtractedPrompt {
  const b = new RenderBuilder();
  b.copy(sourceText.slice(bodyStart), bodyStart);
  const re = new RegExp(PROMPT_FILE_VARIABLE.source, 'g');
  const placeholders: PromptPlaceholder[] = [];
  for (let m = re.exec(b.text); m; m = re.exec(b.text)) {
    placeholders.push({ kind: 'output', expr: m[1], variable: true, renderedStart: m.index, renderedEnd: m.index + m[0].length, sourceStart: bodyStart + m.index, sourceEnd: bodyStart + m.index + m[0].length, names: [m[1]] });
  }
  return { format: 'prompt-file', text: b.text, map: b.map, segments: markdownSections(b.text, 0), firstVariableOffset: placeholders[0]?.renderedStart ?? null, problems: [], breakpoints: [], blocks: [], placeholders };
}
