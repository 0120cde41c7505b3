// Which git binary to run, and with what environment, when reading a repository that may not be trusted.
//
// On Windows, libuv looks for a bare `git` in the spawn's cwd before PATH, so a `git.exe` committed at the root of a
// cloned repository would run as soon as we read its history. We therefore resolve git to an absolute path by
// scanning PATH ourselves (absolute entries only) and spawn that file. The environment adds GIT_NO_LAZY_FETCH=1 so
// that a partial clone (`--filter=blob:none`) never contacts a remote while we read history (git >= 2.44 honours it).
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

/** libuv (CreateProcess without a shell) can only start .com and .exe files; .bat/.cmd would need cmd.exe. */
const WINDOWS_RUNNABLE = new Set(['.com', '.exe']);

/** The value of an environment variable; on Windows names are case-insensitive (a plain object is not). */
function envValue(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

function isAbsoluteEntry(dir: string, platform: NodeJS.Platform): boolean {
  // `C:foo` and `\foo` are relative to a drive's current directory on Windows: only `C:\…` and UNC paths count.
  if (platform === 'win32') return /^[A-Za-z]:[\\/]/.test(dir) || /^[\\/]{2}[^\\/]/.test(dir);
  return path.posix.isAbsolute(dir);
}

/**
 * The absolute paths where git may be, in PATH order: empty, `.` and relative entries are skipped (they would
 * resolve against the repository being read). On Windows each entry gets PATHEXT's .com/.exe extensions in order.
 */
export function gitCandidates(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const win = platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const entries = (envValue(env, 'PATH', platform) ?? '').split(win ? ';' : ':');
  let exts = [''];
  if (win) {
    const fromPathext = (envValue(env, 'PATHEXT', platform) ?? '')
      .split(';')
      .map((e) => e.trim().toLowerCase())
      .filter((e) => WINDOWS_RUNNABLE.has(e));
    exts = fromPathext.length ? [...new Set(fromPathext)] : ['.com', '.exe'];
  }
  const out: string[] = [];
  for (const raw of entries) {
    const dir = win ? raw.trim().replace(/^"(.*)"$/, '$1') : raw;
    if (!dir || !isAbsoluteEntry(dir, platform)) continue;
    for (const ext of exts) out.push(p.join(dir, `git${ext}`));
  }
  return out;
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An absolute path to an executable file: a git path given by the caller (e.g. VS Code's git) is checked the same way. */
export function usableGitBinary(file: string, platform: NodeJS.Platform = process.platform): boolean {
  const absolute = platform === 'win32' ? path.win32.isAbsolute(file) && /^([A-Za-z]:[\\/]|[\\/]{2}[^\\/])/.test(file) : path.posix.isAbsolute(file);
  return absolute && isExecutableFile(file, platform);
}

const resolved = new Map<string, string>();

/**
 * The absolute path of the git executable found on PATH (never one relative to the current or spawn directory),
 * or undefined when there is none. Found paths are remembered per PATH/PATHEXT; a miss is looked up again next time.
 */
export function resolveGitBinary(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const key = `${platform}\0${envValue(env, 'PATH', platform) ?? ''}\0${platform === 'win32' ? (envValue(env, 'PATHEXT', platform) ?? '') : ''}`;
  const known = resolved.get(key);
  if (known !== undefined && isExecutableFile(known, platform)) return known;
  const found = gitCandidates(env, platform).find((f) => isExecutableFile(f, platform));
  if (found === undefined) resolved.delete(key);
  else resolved.set(key, found);
  return found;
}

// Variables that make git start another program (editor, pager, askpass, ssh, proxy, external diff) or look for
// its parts elsewhere. A read-only, offline `log`/`cat-file`/`rev-parse` without a terminal never needs them, so
// they are left out.
const PROGRAM_VARIABLES = new Set([
  'EDITOR',
  'GIT_EDITOR',
  'GIT_SEQUENCE_EDITOR',
  'PAGER',
  'GIT_PAGER',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_PROXY_COMMAND',
  'GIT_EXTERNAL_DIFF',
  'GIT_TEMPLATE_DIR',
  'GIT_EXEC_PATH',
  'PREFIX',
]);

// Config keys that configure programs, dropped from GIT_CONFIG_KEY_<n> (the patterns are unanchored on purpose:
// `diff.<driver>.textconv`, `filter.<driver>.process`, `url.<base>.insteadOf`-style keys under remote/protocol).
const PROGRAM_CONFIG_KEY = /alias|askpass|editor|fsmonitor|gitproxy|hookspath|pager|sshcommand|credential|diff|filter|gpg|templatedir|merge|protocol|remote/i;

export interface GitEnvironment {
  env: NodeJS.ProcessEnv;
}

/** Set on every run: never fetch missing objects, never prompt for credentials, never take optional locks. */
const FIXED: Record<string, string> = { GIT_NO_LAZY_FETCH: '1', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };

/**
 * The environment for every git we run on a repository: the caller's, with GIT_NO_LAZY_FETCH=1,
 * GIT_TERMINAL_PROMPT=0 and GIT_OPTIONAL_LOCKS=0, and without the variables that only start other programs. The
 * user's config redirections (GIT_CONFIG_GLOBAL/SYSTEM, and GIT_CONFIG_COUNT entries that do not configure
 * programs) are kept: they are the user's, not the repository's.
 */
export function gitEnvironment(base: NodeJS.ProcessEnv = process.env): GitEnvironment {
  const env: NodeJS.ProcessEnv = {};
  const config: [string, string][] = [];
  let countName: string | undefined;
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase().trim();
    if (PROGRAM_VARIABLES.has(upper) || upper in FIXED) continue;
    if (upper === 'GIT_CONFIG_COUNT') {
      countName = name;
      continue;
    }
    if (/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(upper)) continue; // re-added below, renumbered
    env[name] = value;
  }
  if (countName !== undefined) {
    const count = Number.parseInt(base[countName] ?? '0', 10) || 0;
    for (let i = 0; i < count; i++) {
      const key = envValue(base, `GIT_CONFIG_KEY_${i}`, process.platform);
      const value = envValue(base, `GIT_CONFIG_VALUE_${i}`, process.platform) ?? '';
      if (key !== undefined && !PROGRAM_CONFIG_KEY.test(key)) config.push([key, value]);
    }
    if (config.length) {
      env.GIT_CONFIG_COUNT = String(config.length);
      config.forEach(([k, v], i) => {
        env[`GIT_CONFIG_KEY_${i}`] = k;
        env[`GIT_CONFIG_VALUE_${i}`] = v;
      });
    }
  }
  Object.assign(env, FIXED);
  return { env };
}
