// The one git adapter: every git process the product starts (CLI `history`, `diff <rev>:<path>`, `lint --against`,
// the extension's baselines, history tab and revision documents) goes through `runGit` here. A repository being read
// may be untrusted (a fresh clone), so each run is hardened:
//   - git is an absolute path resolved from PATH by ./gitBinary (never a `git.exe` planted in the repository, which
//     Windows would find first), or an absolute path the caller vouches for (the extension: VS Code's own git);
//   - the environment has no program-starting variables and GIT_NO_LAZY_FETCH=1 (./gitBinary); `protocol.allow=never`
//     also stops a partial clone's lazy fetch on git < 2.44, which ignores GIT_NO_LAZY_FETCH;
//   - no signatures (gpg.program), no fsmonitor, no textconv / external diff, literal pathspecs, raw (unquoted) paths;
//   - only read-only plumbing runs: rev-parse, log, cat-file; revisions are written to `cat-file --batch`'s stdin,
//     never put on the command line, so a revision such as `--output=x` cannot become an option.
// Bytes stay bytes until ./index decodes them: invalid UTF-8 and binary blobs get the same message as on disk.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { gitEnvironment, resolveGitBinary, usableGitBinary } from './gitBinary';
import { decodeVersionText, UnreadableVersionError, type VersionRef, type VersionSource, type VersionText } from './index';

export type GitErrorCode = 'git-missing' | 'not-a-repo' | 'not-committed' | 'not-found' | 'unknown-revision' | 'git-failed';

/** What went wrong, told apart: the message is one line, for people; `code` is for callers. */
export class GitError extends Error {
  constructor(
    message: string,
    readonly code: GitErrorCode,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  /** An absolute git executable to run instead of the one on PATH (the extension passes VS Code's git). */
  binary?: string;
  signal?: AbortSignal;
}

export const GIT_MISSING_MESSAGE = 'git is not installed (or not on PATH)';

/** Options before the subcommand, on every run. */
const HARDENING = [
  '--no-pager',
  '--literal-pathspecs',
  '-c', 'core.quotePath=false',
  '-c', 'log.showSignature=false',
  '-c', 'core.fsmonitor=false',
  '-c', 'protocol.allow=never',
];

function gitBinary(options: GitOptions): string {
  const binary = options.binary !== undefined && usableGitBinary(options.binary) ? options.binary : resolveGitBinary();
  if (!binary) throw new GitError(GIT_MISSING_MESSAGE, 'git-missing');
  return binary;
}

/** The line that says what failed: git's `fatal:`/`error:` line (not a warning before it), without the prefix. */
export function gitReason(stderr: string): string {
  const lines = (stderr ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0] ?? 'unknown error';
  return line.replace(/^(fatal|error):\s*/, '');
}

/**
 * Runs one hardened git command in `cwd` and resolves with its stdout bytes. Rejects with GitError: 'git-missing'
 * when there is no git to run, 'git-failed' (git's own one-line reason) when it exits non-zero.
 */
export function runGit(args: string[], cwd: string, options: GitOptions = {}): Promise<Buffer> {
  let binary: string;
  try {
    binary = gitBinary(options);
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      [...HARDENING, ...args],
      { cwd, env: gitEnvironment().env, encoding: 'buffer', maxBuffer: 1 << 30, windowsHide: true, signal: options.signal },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException;
        if (e.name === 'AbortError') return reject(e);
        if (e.code === 'ENOENT' && existsSync(cwd)) return reject(new GitError(GIT_MISSING_MESSAGE, 'git-missing'));
        const text = stderr.toString('utf8');
        reject(Object.assign(new GitError(`git failed: ${text.trim() ? gitReason(text) : e.message}`, 'git-failed'), { stderr: text }));
      },
    );
  });
}

function stderrOf(e: unknown): string {
  return (e as { stderr?: string }).stderr ?? '';
}

export interface GitRepository {
  /** The working tree's top folder, as git reports it (real path). */
  root: string;
  /** A shallow clone: history stops at the commits in `shallowCommits` (their parents are not in the clone). */
  shallow: boolean;
  shallowCommits: ReadonlySet<string>;
}

/** The nearest folder of `p` that exists (a file may be open from a folder deleted since). */
function existingFolder(p: string): string | undefined {
  let dir = path.resolve(p);
  for (;;) {
    if (existsSync(dir) && statSync(dir).isDirectory()) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The repository holding `file` (a file or folder). Rejects with 'not-a-repo', 'git-missing' or 'git-failed'. */
export async function repositoryOf(file: string, options: GitOptions = {}): Promise<GitRepository> {
  const abs = path.resolve(file);
  const dir = existsSync(abs) && statSync(abs).isDirectory() ? abs : existingFolder(path.dirname(abs));
  if (!dir) throw new GitError(`${file}: not inside a git repository`, 'not-a-repo');
  let out: string;
  try {
    out = (await runGit(['rev-parse', '--show-toplevel', '--is-shallow-repository', '--git-path', 'shallow'], dir, options)).toString('utf8');
  } catch (e) {
    if (e instanceof GitError && /not a git repository/i.test(stderrOf(e))) throw new GitError(`${file}: not inside a git repository`, 'not-a-repo');
    throw e;
  }
  const [root, shallow, shallowFile] = out.split('\n');
  const shallowCommits = new Set<string>();
  if (shallow === 'true' && shallowFile) {
    try {
      for (const line of readFileSync(path.resolve(dir, shallowFile), 'utf8').split('\n')) if (/^[0-9a-f]{40,64}$/.test(line.trim())) shallowCommits.add(line.trim());
    } catch {
      // the list of boundary commits is only used to say where history stops
    }
  }
  return { root, shallow: shallow === 'true', shallowCommits };
}

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** `file` relative to the repository root, with forward slashes (the root git reports is a real path). */
export function pathInRepository(root: string, file: string): string {
  const abs = path.resolve(file);
  const dir = existingFolder(path.dirname(abs)) ?? path.dirname(abs);
  const tail = path.relative(dir, path.dirname(abs));
  return path.relative(realPath(root), path.join(realPath(dir), tail, path.basename(abs))).split(path.sep).join('/');
}

// ---- One `git cat-file --batch` for many reads ------------------------------------------------------------------

export interface GitObject {
  oid: string;
  type: string;
  bytes: Buffer;
}

interface Pending {
  name: string;
  resolve(o: GitObject | undefined): void;
  reject(e: Error): void;
}

const EMPTY = Buffer.alloc(0);

/** Objects requested but not yet answered, at most: keeps memory bounded while git works ahead of the reader. */
const IN_FLIGHT = 4;

/**
 * Reads objects (`<commit>:<path>`, blob ids, `<rev>^{commit}`) through one long-lived `git cat-file --batch`.
 * Requests are answered in order; a name git does not know resolves to undefined. Names are written to stdin, never
 * to the command line. Close it when done (it also closes itself when git exits).
 */
export class GitObjectReader {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly waiting: Pending[] = [];
  private readonly inFlight: Pending[] = [];
  private buf: Buffer = EMPTY;
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private header: { oid: string; type: string; size: number } | undefined;
  private stderr = '';
  private failed: Error | undefined;

  constructor(
    private readonly root: string,
    private readonly options: GitOptions = {},
  ) {}

  read(name: string): Promise<GitObject | undefined> {
    if (/[\n\r\0]/.test(name)) return Promise.reject(new GitError(`git failed: object name with a line break: ${JSON.stringify(name)}`, 'git-failed'));
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ name, resolve, reject });
      try {
        this.pump();
      } catch (e) {
        this.fail(e as Error);
      }
    });
  }

  close(): void {
    const c = this.child;
    this.child = undefined;
    if (c) {
      c.stdin.end();
      c.kill();
    }
    this.fail(new GitError('git failed: the object reader was closed', 'git-failed'));
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(gitBinary(this.options), [...HARDENING, 'cat-file', '--batch'], { cwd: this.root, env: gitEnvironment().env, windowsHide: true, signal: this.options.signal });
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined); // git exited: reported by 'close'
    child.on('error', (e: NodeJS.ErrnoException) => this.fail(e.code === 'ENOENT' ? new GitError(GIT_MISSING_MESSAGE, 'git-missing') : e));
    child.on('close', (code) => {
      if (this.child === child) this.child = undefined;
      if (this.inFlight.length || this.waiting.length) this.fail(new GitError(`git failed: ${this.stderr.trim() ? gitReason(this.stderr) : `cat-file exited with ${code}`}`, 'git-failed'));
    });
    return child;
  }

  private pump(): void {
    while (this.waiting.length && this.inFlight.length < IN_FLIGHT) {
      this.child ??= this.start();
      const p = this.waiting.shift()!;
      this.inFlight.push(p);
      this.child.stdin.write(`${p.name}\n`);
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.inFlight.splice(0)) p.reject(this.failed);
    for (const p of this.waiting.splice(0)) p.reject(this.failed);
  }

  private onData(chunk: Buffer): void {
    for (;;) {
      if (!this.header) {
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        chunk = EMPTY;
        const nl = this.buf.indexOf(10);
        if (nl < 0) return;
        const line = this.buf.toString('utf8', 0, nl);
        const rest = this.buf.subarray(nl + 1);
        this.buf = EMPTY;
        const m = /^(\S+) (\S+) (\d+)$/.exec(line);
        if (!m) {
          // `<name> missing` / `<name> ambiguous`: no object
          this.inFlight.shift()?.resolve(undefined);
          this.pump();
          chunk = rest;
          continue;
        }
        this.header = { oid: m[1], type: m[2], size: Number(m[3]) };
        chunk = rest;
      }
      // The body and its trailing newline: chunks are kept aside and joined once (not re-concatenated per chunk).
      const h = this.header;
      if (chunk.length) {
        this.body.push(chunk);
        this.bodyBytes += chunk.length;
      }
      if (this.bodyBytes < h.size + 1) return;
      const all = this.body.length === 1 ? this.body[0] : Buffer.concat(this.body, this.bodyBytes);
      this.body = [];
      this.bodyBytes = 0;
      this.header = undefined;
      const bytes = Buffer.from(all.subarray(0, h.size)); // a copy: the chunk it came from is not kept alive
      this.inFlight.shift()?.resolve({ oid: h.oid, type: h.type, bytes });
      this.pump();
      chunk = all.subarray(h.size + 1);
      if (!chunk.length) return;
    }
  }
}

/** A git failure that means "the repository has no commits yet" becomes 'not-committed'; others pass through. */
function noCommitsYet(e: unknown, file: string): unknown {
  if (e instanceof GitError && /does not have any commits yet|bad default revision/i.test(stderrOf(e))) {
    return new GitError(`${file}: not committed yet (the repository has no commits yet)`, 'not-committed');
  }
  return e;
}

// ---- The file at one revision -----------------------------------------------------------------------------------

export interface FileAtRevision {
  text: string;
  /** The full hash of the commit the revision names. */
  commit: string;
  /** The file's path in the repository. */
  path: string;
}

/** A revision git would accept as one name (no option look-alike, no line break). */
function checkRevision(ref: string): void {
  if (!ref || ref.startsWith('-') || /[\n\r\0]/.test(ref)) throw new GitError(`unknown git revision "${ref}"`, 'unknown-revision');
}

/**
 * The text of `file` at revision `ref` (e.g. HEAD, HEAD~1, a tag); undefined when the file does not exist there.
 * `pathInRepo` overrides where the file was at that revision (renames). Rejects with GitError ('not-a-repo',
 * 'git-missing', 'unknown-revision', 'not-committed' for HEAD of a repository without commits, 'git-failed') or
 * UnreadableVersionError (binary, invalid UTF-8), whose message says which revision and path.
 */
export async function versionAt(file: string, ref: string, options: GitOptions & { pathInRepo?: string } = {}): Promise<FileAtRevision | undefined> {
  checkRevision(ref);
  const repo = await repositoryOf(file, options);
  const rel = options.pathInRepo ?? pathInRepository(repo.root, file);
  const reader = new GitObjectReader(repo.root, options);
  try {
    const [commit, blob] = await Promise.all([reader.read(`${ref}^{commit}`), reader.read(`${ref}:${rel}`)]);
    if (!commit) {
      // HEAD names no commit: a repository without commits yet, or a broken one (git says which).
      if (ref === 'HEAD') await runGit(['log', '-1', '--format=%H'], repo.root, options).catch((e: unknown) => Promise.reject(noCommitsYet(e, file)));
      throw new GitError(`unknown git revision "${ref}"`, 'unknown-revision');
    }
    if (!blob) return undefined;
    const label = `${ref}:${rel}`;
    if (blob.type !== 'blob') throw new UnreadableVersionError(`${label}: is a ${blob.type === 'tree' ? 'directory' : blob.type}, not a text prompt`, 'not-a-file');
    return { text: decodeVersionText(blob.bytes, label), commit: commit.oid, path: rel };
  } finally {
    reader.close();
  }
}

// ---- The commits that touched a file ----------------------------------------------------------------------------

export type GitChange = 'added' | 'modified' | 'renamed' | 'copied' | 'deleted' | 'type-changed' | 'unknown';

export interface GitVersionRef extends VersionRef {
  commit: string;
  /** Parent commits; more than one: a merge, compared with `parents[0]` (the branch it was merged into). */
  parents: string[];
  subject: string;
  date: string;
  /** The file's path in this commit (renames followed). */
  path: string;
  /** The file's blob in this commit; null when this commit deleted it. */
  blob: string | null;
  /** Git file mode in this commit (100644, 100755; 120000 is a symbolic link, 160000 a submodule). */
  mode: string;
  change: GitChange;
  /** Renames and copies: the path before this commit. */
  previousPath?: string;
  /** A shallow clone's boundary: the clone holds no parent of this commit, so the history shown stops here. */
  shallowBoundary?: boolean;
}

export interface GitListing {
  root: string;
  /** The file relative to the root. */
  path: string;
  /** Oldest first. */
  versions: GitVersionRef[];
  /** `max` cut older versions off. */
  limited: boolean;
  shallow: boolean;
  /** Shallow clone: the oldest commit listed is a boundary; older history is not in the clone. */
  truncatedAt?: string;
}

const CHANGE: Record<string, GitChange> = { A: 'added', M: 'modified', R: 'renamed', C: 'copied', D: 'deleted', T: 'type-changed' };
const ZERO_OID = /^0+$/;

/**
 * Parses `git log -z --raw --format=%x01…` output: per commit `\x01<header>\0`, then raw entries
 * `:<modes> <oids> <status>\0<path>\0[<path>\0]` (renames and copies have two paths).
 */
function parseLog(out: Buffer, rel: string): GitVersionRef[] {
  const versions: GitVersionRef[] = [];
  let i = 0;
  const readTo = (byte: number): string => {
    const end = out.indexOf(byte, i);
    const s = out.toString('utf8', i, end < 0 ? out.length : end);
    i = end < 0 ? out.length : end + 1;
    return s;
  };
  let cur: GitVersionRef | undefined;
  while (i < out.length) {
    const c = out[i];
    if (c === 1) {
      i++;
      const header = readTo(0);
      const [commit, parents, date, ...subject] = header.split('\x02');
      cur = { id: commit, label: '', commit, parents: parents ? parents.split(' ') : [], date, subject: subject.join('\x02'), path: rel, fileName: rel, blob: null, mode: '', change: 'unknown' };
      versions.push(cur);
    } else if (c === 0x3a /* : */ && cur) {
      i++;
      const meta = readTo(0).split(' '); // old mode, new mode, old oid, new oid, status
      const status = meta[4] ?? '';
      const first = readTo(0);
      const two = status[0] === 'R' || status[0] === 'C';
      const second = two ? readTo(0) : undefined;
      // --follow limits the raw output to the followed file; with several entries, keep the one for its path.
      if (cur.change === 'unknown' || (second ?? first) === cur.path) {
        cur.change = CHANGE[status[0]] ?? 'unknown';
        cur.path = second ?? first;
        cur.fileName = cur.path;
        if (second !== undefined) cur.previousPath = first;
        cur.blob = cur.change === 'deleted' || ZERO_OID.test(meta[3] ?? '') ? null : (meta[3] ?? null);
        cur.mode = cur.change === 'deleted' ? (meta[0] ?? '').replace(/^:/, '') : (meta[1] ?? '');
      }
    } else {
      i++; // the newline between a header and its entries
    }
  }
  return versions;
}

/**
 * The commits that touched `file` along the first-parent line (a merge is compared with its first parent: the
 * branch it was merged into), renames followed, oldest first; at most `max` of the newest. Rejects with GitError:
 * 'not-a-repo', 'git-missing', 'not-committed' (no commit touches the file, or the repository has no commits),
 * 'not-found', 'git-failed'.
 */
export async function listFileVersions(file: string, options: GitOptions & { max?: number } = {}): Promise<GitListing> {
  const abs = path.resolve(file);
  if (!existingFolder(path.dirname(abs))) throw new GitError(`${file}: no such file or directory`, 'not-found');
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new GitError(`${file}: is a directory (history follows one file)`, 'not-found');
  const repo = await repositoryOf(file, options);
  const rel = pathInRepository(repo.root, abs);
  const max = options.max && options.max > 0 ? Math.floor(options.max) : undefined;
  const args = ['log', '--follow', '--first-parent', '-m', '--raw', '--no-abbrev', '-z', '--no-textconv', '--no-ext-diff', '--format=%x01%H%x02%P%x02%aI%x02%s'];
  // One more than asked for tells whether older versions were cut off.
  if (max) args.push(`--max-count=${max + 1}`);
  let out: Buffer;
  try {
    out = await runGit([...args, '--', rel], repo.root, options);
  } catch (e) {
    throw noCommitsYet(e, file);
  }
  let versions = parseLog(out, rel).reverse();
  if (versions.length === 0) throw new GitError(`${file}: not committed yet (no commit touches it)`, 'not-committed');
  const limited = max !== undefined && versions.length > max;
  if (limited) versions = versions.slice(-max);
  for (const v of versions) {
    v.label = `${v.commit.slice(0, 7)} ${v.subject}`;
    if (repo.shallowCommits.has(v.commit)) v.shallowBoundary = true;
  }
  // In a shallow clone the boundary commit looks like a root commit that added the file: history is truncated there
  // unless the file really was added in that commit with older history absent (git cannot tell; we say so).
  const oldest = versions[0];
  const truncatedAt = repo.shallow && !limited && (oldest.shallowBoundary || repo.shallowCommits.size === 0) ? oldest.commit : undefined;
  return { root: repo.root, path: rel, versions, limited, shallow: repo.shallow, truncatedAt };
}

/** Why a version's text cannot be used, before reading it (its mode says it is no text file). */
function unreadableMode(ref: GitVersionRef): UnreadableVersionError | undefined {
  const where = `${ref.path} at ${ref.commit.slice(0, 8)}`;
  if (ref.mode === '120000') return new UnreadableVersionError(`${where}: a symbolic link, not a text prompt`, 'not-a-file');
  if (ref.mode === '160000') return new UnreadableVersionError(`${where}: a submodule, not a text prompt`, 'not-a-file');
  return undefined;
}

/**
 * A file's git history as a VersionSource: `list` gives the commits that touched it (see listFileVersions), `read`
 * the file's text at one of them. Reads share one `git cat-file --batch`; call `close()` when done.
 */
export class GitVersionSource implements VersionSource<GitVersionRef> {
  readonly kind = 'git' as const;
  private reader: GitObjectReader | undefined;
  private root: string | undefined;
  /** The last listing (for what `list` cannot return: truncation, the repository root). */
  listing: GitListing | undefined;

  constructor(
    readonly file: string,
    private readonly options: GitOptions = {},
  ) {}

  async list(options: { max?: number; signal?: AbortSignal } = {}): Promise<GitVersionRef[]> {
    this.listing = await listFileVersions(this.file, { ...this.options, ...options, signal: options.signal ?? this.options.signal });
    this.root = this.listing.root;
    return this.listing.versions;
  }

  /**
   * The file's text in the commit (empty in a commit that deleted it). Rejects with UnreadableVersionError for a
   * binary, non-UTF-8, symbolic-link or submodule version, and with GitError('git-failed') when the object is not in
   * the local repository (a partial clone: nothing is fetched).
   */
  async read(ref: GitVersionRef): Promise<VersionText> {
    const bad = unreadableMode(ref);
    if (bad) throw bad;
    if (ref.blob === null) return { ...ref, text: '' };
    this.root ??= (await repositoryOf(this.file, this.options)).root;
    this.reader ??= new GitObjectReader(this.root, this.options);
    const where = `${ref.path} at ${ref.commit.slice(0, 8)}`;
    const notLocal = `${where} is not in the local repository (a partial clone?); it is not downloaded while reading history`;
    let obj: GitObject | undefined;
    try {
      obj = await this.reader.read(ref.blob);
    } catch (e) {
      // cat-file stops at the first object a partial clone would have to fetch (lazy fetching is off).
      if (e instanceof GitError && /promisor|lazy fetch|could not fetch/i.test(e.message)) throw new GitError(`${notLocal}: ${e.message.replace(/^git failed: /, '')}`, 'git-failed');
      throw e;
    }
    if (!obj) throw new GitError(notLocal, 'git-failed');
    return { ...ref, text: decodeVersionText(obj.bytes, where) };
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }
}
