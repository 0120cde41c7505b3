// Where coding agents keep their sessions, and which of them belong to a workspace: Claude Code writes
// <claude dir>/projects/<project>/<session>.jsonl, the project folder being the working directory with every `/` and
// `.` replaced by `-`; Codex writes <codex dir>/sessions/YYYY/MM/DD/rollout-*.jsonl with the working directory in the
// first line's `session_meta`. The folders follow CLAUDE_CONFIG_DIR and CODEX_HOME as the tools themselves do.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type AgentKind = 'claude-code' | 'codex';

export interface AgentSessionEntry {
  file: string;
  agent: AgentKind;
  /** Epoch ms of the last write. */
  mtime: number;
  size: number;
  /** The session's working directory (Codex's session_meta, Claude Code's first `cwd`), when read. */
  cwd?: string;
  /** The first user message (shortened), for the picker. */
  title?: string;
  /** The working directory is one of the workspace's folders. */
  inWorkspace: boolean;
}

export interface AgentDirs {
  claudeDir: string;
  codexDir: string;
}

/** The agents' folders: explicit values first, then the tools' own environment variables, then the defaults. */
export function agentDirs(explicit: Partial<AgentDirs> = {}, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): AgentDirs {
  const pick = (v: string | undefined) => (v && v.trim() ? v.trim().replace(/^~(?=$|[/\\])/, home) : undefined);
  return {
    claudeDir: pick(explicit.claudeDir) ?? pick(env.CLAUDE_CONFIG_DIR) ?? path.join(home, '.claude'),
    codexDir: pick(explicit.codexDir) ?? pick(env.CODEX_HOME) ?? path.join(home, '.codex'),
  };
}

/**
 * The names Claude Code's project folder for a working directory may have, looked for both: `/`, `.` and `:` as
 * `-`, and every character that is not a letter or digit as `-` (they differ for paths with spaces, `_` or non-ASCII).
 */
export function claudeProjectNames(cwd: string): string[] {
  return [...new Set([cwd.replace(/[\\/.:]/g, '-'), cwd.replace(/[^a-zA-Z0-9]/g, '-')])];
}

const HEAD_BYTES = 64 * 1024;

async function head(file: string): Promise<string> {
  const h = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await h.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await h.close();
  }
}

function shorten(s: string, n = 80): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** The working directory and first user text of a session, from its first lines (complete lines only). */
export function describeHead(text: string, agent: AgentKind): { cwd?: string; title?: string } {
  const out: { cwd?: string; title?: string } = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1 && (!out.cwd || !out.title); i++) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(lines[i]) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (agent === 'codex') {
      const p = v.payload as Record<string, unknown> | undefined;
      if (v.type === 'session_meta' && p && typeof p.cwd === 'string') out.cwd ??= p.cwd;
      if (v.type === 'response_item' && p?.type === 'message' && p.role === 'user' && Array.isArray(p.content)) {
        const t = (p.content as { text?: unknown }[]).map((c) => (typeof c.text === 'string' ? c.text : '')).join(' ');
        // Codex puts its environment and instructions blocks in user messages first.
        if (t.trim() && !/^\s*<(environment_context|user_instructions)/.test(t)) out.title ??= shorten(t);
      }
    } else {
      if (typeof v.cwd === 'string') out.cwd ??= v.cwd;
      const m = v.message as Record<string, unknown> | undefined;
      if (v.type === 'user' && m && v.isMeta !== true && v.isCompactSummary !== true) {
        const c = m.content;
        const t = typeof c === 'string' ? c : Array.isArray(c) ? (c as { type?: unknown; text?: unknown }[]).filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string).join(' ') : '';
        if (t.trim() && !/^\s*<(command-|local-command|system-reminder)/.test(t)) out.title ??= shorten(t);
      }
    }
  }
  return out;
}

async function listJsonl(dir: string): Promise<{ file: string; mtime: number; size: number }[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const out: { file: string; mtime: number; size: number }[] = [];
  for (const n of names) {
    if (!n.endsWith('.jsonl')) continue;
    const f = path.join(dir, n);
    try {
      const st = await fs.stat(f);
      if (st.isFile()) out.push({ file: f, mtime: st.mtimeMs, size: st.size });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Subfolders by name, newest name first (Codex's YYYY, MM, DD). */
async function subdirsDesc(dir: string): Promise<string[]> {
  try {
    const e = await fs.readdir(dir, { withFileTypes: true });
    return e.filter((d) => d.isDirectory()).map((d) => d.name).sort().reverse();
  } catch {
    return [];
  }
}

export interface ListOptions {
  dirs: AgentDirs;
  /** Workspace folders (absolute): their sessions come first. */
  workspaceFolders: readonly string[];
  /** At most this many sessions (newest first); default 200. */
  max?: number;
  /** Read the first lines of at most this many (for the title and Codex's cwd); default 60. */
  describe?: number;
}

const samePath = (a: string, b: string) => path.resolve(a).replace(/[\\/]+$/, '') === path.resolve(b).replace(/[\\/]+$/, '');

/** The agents' sessions on this machine: the workspace's first, then newest first. */
export async function listAgentSessions(o: ListOptions): Promise<AgentSessionEntry[]> {
  const max = o.max ?? 200;
  // Claude Code replaces `/` and `.` (newer builds: every character but letters and digits) by `-`.
  const wsProjects = new Set(o.workspaceFolders.flatMap(claudeProjectNames));
  const found: AgentSessionEntry[] = [];
  const projects = path.join(o.dirs.claudeDir, 'projects');
  let projectDirs: string[] = [];
  try {
    projectDirs = (await fs.readdir(projects, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    // no Claude Code here
  }
  for (const p of projectDirs) {
    for (const f of await listJsonl(path.join(projects, p))) found.push({ ...f, agent: 'claude-code', inWorkspace: wsProjects.has(p) });
  }
  // Codex: newest days first; stop once enough files are found (old days are never listed).
  const codexRoot = path.join(o.dirs.codexDir, 'sessions');
  let codex = 0;
  outer: for (const y of await subdirsDesc(codexRoot)) {
    for (const m of await subdirsDesc(path.join(codexRoot, y))) {
      for (const d of await subdirsDesc(path.join(codexRoot, y, m))) {
        for (const f of await listJsonl(path.join(codexRoot, y, m, d))) {
          found.push({ ...f, agent: 'codex', inWorkspace: false });
          codex++;
        }
        if (codex >= max) break outer;
      }
    }
  }
  found.sort((a, b) => b.mtime - a.mtime);
  const listed = found.slice(0, Math.max(max, found.filter((x) => x.inWorkspace).length));
  const toDescribe = o.describe ?? 60;
  await Promise.all(
    listed.slice(0, toDescribe).map(async (e) => {
      try {
        const d = describeHead(await head(e.file), e.agent);
        if (d.cwd) e.cwd = d.cwd;
        if (d.title) e.title = d.title;
        if (e.agent === 'codex' && d.cwd) e.inWorkspace = o.workspaceFolders.some((w) => samePath(w, d.cwd!));
      } catch {
        // unreadable: listed without a title
      }
    }),
  );
  // The workspace's sessions first (a stable sort keeps newest first within each group).
  return listed.sort((a, b) => Number(b.inWorkspace) - Number(a.inWorkspace));
}

/** The newest session of the workspace (for the live watch), or null. */
export async function newestWorkspaceSession(o: ListOptions): Promise<AgentSessionEntry | null> {
  const all = await listAgentSessions({ ...o, max: o.max ?? 50, describe: o.describe ?? 20 });
  return all.find((e) => e.inWorkspace) ?? null;
}
