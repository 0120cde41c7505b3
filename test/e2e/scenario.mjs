// Which workspace the e2e tests open and which files each test drives. The example workspace
// (examples/support-agent/, its git history replayed by examples/make-history-repo.mjs) is preferred;
// whatever a test needs that the example lacks (a template with a per-request placeholder the quick fix can
// move, a prompt file with a BOM) comes from test/e2e/fixture/, copied into the workspace's prompts/e2e/
// (a prompt folder under the default include globs) and committed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const EXAMPLE = path.join('examples', 'support-agent');
const REPLAY = path.join('examples', 'make-history-repo.mjs');
const FIXTURE = path.join('test', 'e2e', 'fixture');
const TEMPLATE_EXT = /\.(j2|jinja2?|hbs|mustache|liquid)$/i;
const PER_REQUEST = /\{\{\s*(current_date|current_time|date|now|today|timestamp|request_id|session_id)\b[^}]*\}\}/;

function walk(dir, rel = '') {
  const out = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out;
}

// The same glob dialect as VS Code's settings (`**`, `*`, `?`, `{a,b}`), for picking tracked files.
function globRe(glob) {
  let re = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      if ((i === 0 || glob[i - 1] === '/') && glob[i + 2] === '/') {
        re += '(?:[^/]*/)*';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth) {
      depth--;
      re += ')';
    }
    else if (c === ',' && depth) re += '|';
    else re += c.replace(/[.+^$()|\\[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function promptPatterns(repoRoot, workspaceSource) {
  const props = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).contributes?.configuration?.properties ?? {};
  let include = props['promptCache.include']?.default ?? ['**/*.prompt.md', '**/prompts/**/*.{md,txt}'];
  let exclude = props['promptCache.exclude']?.default ?? [];
  const wsSettings = path.join(workspaceSource, '.vscode', 'settings.json');
  if (existsSync(wsSettings)) {
    try {
      const s = JSON.parse(readFileSync(wsSettings, 'utf8').replace(/^\s*\/\/.*$/gm, ''));
      include = s['promptCache.include'] ?? include;
      exclude = s['promptCache.exclude'] ?? exclude;
    } catch {
      // JSONC beyond line comments: keep the defaults
    }
  }
  const inc = include.map(globRe);
  const exc = exclude.map(globRe);
  return (rel) => inc.some((r) => r.test(rel)) && !exc.some((r) => r.test(rel));
}

/** The line to type at: early in the prompt's body, but after some text, so the edit leaves a reusable prefix
 * (the heatmap then shows both reused and recomputed tokens). Skips front matter, headings and blank lines. */
function editLineFor(text) {
  const lines = text.split('\n');
  let i = 0;
  if (lines[0]?.replace(/^\uFEFF/, '') === '---') i = lines.indexOf('---', 1) + 1;
  const bodyStart = i;
  const offsets = [];
  let off = 0;
  for (const l of lines) {
    offsets.push(off);
    off += l.length + 1;
  }
  const target = offsets[bodyStart] + 0.25 * (text.length - offsets[bodyStart]);
  const prose = (k) => {
    const l = lines[k].trim();
    return l && !l.startsWith('#') && !l.startsWith('---') && !/^[{[\]}]/.test(l) && !l.startsWith('```');
  };
  for (let k = bodyStart + 1; k < lines.length; k++) if (offsets[k] >= target && prose(k)) return k + 1;
  for (let k = bodyStart; k < lines.length; k++) if (prose(k)) return k + 1;
  return 1;
}

/** A template line holding a per-request placeholder with a lot of static text after it, in a template
 * without control tags: the shape the "move the line to the end" quick fix handles. */
function findPlaceholderLine(root, rel) {
  const text = readFileSync(path.join(root, rel), 'utf8');
  if (/\{%|\{\{[#/^]/.test(text)) return null;
  const lines = text.split('\n');
  for (let i = 0; i < Math.min(lines.length, 15); i++) {
    const m = PER_REQUEST.exec(lines[i]);
    if (!m) continue;
    if (lines.slice(i + 1).join('\n').trim().length < 800) return null;
    return { file: rel, line: i + 1, column: m.index + 3, lineText: lines[i], title: /Move the .* line to the end/ };
  }
  return null;
}

export function chooseScenario({ repoRoot, explicit }) {
  const notes = [];
  const exampleDir = explicit ?? path.join(repoRoot, EXAMPLE);
  const fixtureDir = path.join(repoRoot, FIXTURE);
  const replayScript = path.join(repoRoot, REPLAY);
  const useReplay = !explicit && existsSync(replayScript) && existsSync(path.join(exampleDir, 'history', 'manifest.json'));
  const useExample = existsSync(exampleDir) && walk(exampleDir).length > 0;
  const source = useExample ? exampleDir : fixtureDir;
  if (!useExample) notes.push(`${EXAMPLE} is missing: using ${FIXTURE}`);
  const isPrompt = promptPatterns(repoRoot, source);
  // With a replayed history the workspace holds the example's files minus history/ (the versions' store).
  const files = walk(source).filter((f) => !(useReplay && f.startsWith('history/')));
  const tracked = files.filter(isPrompt);
  const overlay = [];
  const fromFixture = (rel) => {
    const to = `prompts/e2e/${path.basename(rel)}`;
    overlay.push({ from: path.join(fixtureDir, rel), to });
    return to;
  };

  // The prompt to edit: the largest tracked markdown/text prompt (a system prompt, typically).
  const candidates = tracked
    .filter((f) => /\.(md|txt)$/i.test(f))
    .map((f) => ({ f, size: statSync(path.join(source, f)).size }))
    .sort((a, b) => b.size - a.size);
  let editFile = candidates[0]?.f;
  let editSource = editFile && path.join(source, editFile);
  if (!editFile) {
    editFile = fromFixture('prompts/support-system.md');
    editSource = path.join(fixtureDir, 'prompts', 'support-system.md');
    notes.push(`no tracked markdown prompt in the workspace: editing ${editFile}`);
  }
  const untrackedMarkdown = files.filter((f) => /\.md$/.test(f) && !isPrompt(f));
  if (untrackedMarkdown.length) notes.push(`not prompt files under the include globs: ${untrackedMarkdown.join(', ')}`);
  const editText = 'Always confirm the order number first. ';
  const editLine = editLineFor(readFileSync(editSource, 'utf8'));

  let placeholderFix = null;
  for (const f of tracked.filter((x) => TEMPLATE_EXT.test(x))) {
    placeholderFix = findPlaceholderLine(source, f);
    if (placeholderFix) break;
  }
  if (!placeholderFix) {
    const to = fromFixture('prompts/greeting.j2');
    placeholderFix = { ...findPlaceholderLine(fixtureDir, 'prompts/greeting.j2'), file: to };
    notes.push(`no control-tag-free template with an early per-request placeholder: adding ${to}`);
  }

  // A BOM that appeared since the last commit (the rule flags a new BOM; one already committed is the
  // baseline): the file is committed without it and the BOM written afterwards, as an editor would.
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  const uncommitted = [];
  let bomFile = tracked.find((f) => readFileSync(path.join(source, f)).subarray(0, 3).equals(BOM));
  if (bomFile) {
    const withBom = readFileSync(path.join(source, bomFile));
    uncommitted.push({ file: bomFile, committed: withBom.subarray(3), working: withBom });
  } else {
    bomFile = fromFixture('prompts/escalation-notes.txt');
    const withBom = readFileSync(path.join(fixtureDir, 'prompts', 'escalation-notes.txt'));
    uncommitted.push({ file: bomFile, committed: withBom.subarray(3), working: withBom });
    notes.push(`no prompt file with a BOM: adding ${bomFile} (committed without it, BOM added in the working tree)`);
  }

  // The instruction files coding agents load (issue 13): at the workspace root, where agents look for them.
  const agentFiles = ['AGENTS.md', 'CLAUDE.md', '.github/copilot-instructions.md'];
  for (const rel of agentFiles) {
    if (!existsSync(path.join(source, rel))) overlay.push({ from: path.join(fixtureDir, 'agents', rel), to: rel });
  }
  if (!agentFiles.every(isPrompt)) notes.push(`agent files are not under the include globs: ${agentFiles.filter((f) => !isPrompt(f)).join(', ')}`);

  const nonPromptFile =
    files.find((f) => /^README\.md$/i.test(f)) ?? untrackedMarkdown[0] ?? files.find((f) => !isPrompt(f) && /\.(md|txt|json|ya?ml)$/i.test(f)) ?? null;

  // Without a replayed history, commit two earlier versions of the edited prompt for the history view.
  const history = useReplay
    ? []
    : [
        { file: editFile, message: 'Draft: shorter policies', transform: (t) => t.replace(/\n## [^\n]*\n[\s\S]*?(?=\n## )/, '\n') },
        {
          file: editFile,
          message: 'Wording near the end',
          transform: (t) => {
            const j = t.indexOf(' ', Math.floor(t.length * 0.85));
            return j > 0 ? `${t.slice(0, j)} (draft)${t.slice(j)}` : `${t}\n(draft)\n`;
          },
        },
      ];

  notes.push(`edit: ${editFile}:${editLine}; placeholder fix: ${placeholderFix.file}:${placeholderFix.line}; BOM: ${bomFile}; non-prompt file: ${nonPromptFile ?? '(none)'}`);
  return {
    source,
    replayScript: useReplay ? replayScript : null,
    overlay,
    uncommitted,
    history,
    notes,
    editFile,
    editLine,
    editText,
    nonPromptFile,
    placeholderFix,
    bomFile,
    agentFiles,
    // The ~4,000-token agent file the status-bar steps append to.
    agentFile: 'AGENTS.md',
    tracked,
    // Every prompt file the workspace will hold (the example's tracked files plus the fixtures added).
    promptFiles: [...new Set([...tracked, ...overlay.map((o) => o.to).filter(isPrompt)])].sort(),
    minAuditedFiles: 3,
    historyRows: 2,
  };
}
