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
  /** Empty for a reader made with `{ sizesOnly: true }` (`cat-file --batch-check`). */
  bytes: Buffer;
  size: number;
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
    private readonly options: GitOptions & { sizesOnly?: boolean } = {},
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
    const child = spawn(gitBinary(this.options), [...HARDENING, 'cat-file', this.options.sizesOnly ? '--batch-check' : '--batch'], { cwd: this.root, env: gitEnvironment().env, windowsHide: true, signal: this.options.signal });
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
        if (this.options.sizesOnly) {
          // --batch-check: the header line is the whole answer (a size, no body).
          this.inFlight.shift()?.resolve({ oid: m[1], type: m[2], bytes: EMPTY, size: Number(m[3]) });
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
      this.inFlight.shift()?.resolve({ oid: h.oid, type: h.type, bytes, size: h.size });
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

/**
 * `versionAt` for many files at once: one `rev-parse` per folder and one `cat-file --batch` per repository (not two
 * git processes per file). Keys are the files as given; the value is undefined where the file does not exist at
 * `ref`. Rejects as versionAt does, for the first file that fails.
 */
export async function versionsAt(files: readonly string[], ref: string, options: GitOptions = {}): Promise<Map<string, FileAtRevision | undefined>> {
  checkRevision(ref);
  const repoOfDir = new Map<string, Promise<GitRepository>>();
  for (const file of files) {
    const dir = path.dirname(path.resolve(file));
    if (!repoOfDir.has(dir)) {
      const repo = repositoryOf(file, options);
      repo.catch(() => undefined); // awaited below, in file order
      repoOfDir.set(dir, repo);
    }
  }
  const byRepo = new Map<string, string[]>();
  for (const file of files) {
    const root = (await repoOfDir.get(path.dirname(path.resolve(file)))!).root;
    const group = byRepo.get(root);
    if (group) group.push(file);
    else byRepo.set(root, [file]);
  }
  const out = new Map<string, FileAtRevision | undefined>();
  for (const [root, group] of byRepo) {
    const reader = new GitObjectReader(root, options);
    try {
      const rels = group.map((f) => pathInRepository(root, f));
      const [commit, ...blobs] = await Promise.all([reader.read(`${ref}^{commit}`), ...rels.map((rel) => reader.read(`${ref}:${rel}`))]);
      if (!commit) {
        if (ref === 'HEAD') await runGit(['log', '-1', '--format=%H'], root, options).catch((e: unknown) => Promise.reject(noCommitsYet(e, group[0])));
        throw new GitError(`unknown git revision "${ref}"`, 'unknown-revision');
      }
      group.forEach((file, i) => {
        const blob = blobs[i];
        const label = `${ref}:${rels[i]}`;
        if (blob && blob.type !== 'blob') throw new UnreadableVersionError(`${label}: is a ${blob.type === 'tree' ? 'directory' : blob.type}, not a text prompt`, 'not-a-file');
        out.set(file, blob ? { text: decodeVersionText(blob.bytes, label), commit: commit.oid, path: rels[i] } : undefined);
      });
    } finally {
      reader.close();
    }
  }
  return out;
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

// ---- Earlier versions of many files: one `git log` walk per repository ------------------------------------------

/** One earlier version of a file (the shape lint's `HistoryVersion` takes). */
export interface FileHistoryVersion {
  commit: string;
  /** Author date, ISO 8601. */
  date: string;
  /** The file's path in the repository at this commit (renames followed). */
  path: string;
  source: string;
}

export interface FileHistoryOptions extends GitOptions {
  /** Versions kept per file, the newest (default DEFAULT_HISTORY_MAX, as `lint --history-max`). */
  max?: number;
  /** Commits one walk reads at most (default 10,000): a long history is cut there, not read to its root. */
  maxCommits?: number;
  /** Bytes of earlier versions read at most, all files together (default 64 MiB); older versions are dropped first. */
  maxBytes?: number;
  /** A version larger than this is left out (default 4 MiB). */
  maxVersionBytes?: number;
}

/** How many earlier versions of a file lint reads by default (the CLI's `--history-max`, the extension's audits). */
export const DEFAULT_HISTORY_MAX = 20;

/** A command line stays under Windows' 32,767 characters: pathspecs beyond this go to another walk. */
const PATHSPEC_CHARS = 24_000;

interface TrackedFile {
  file: string;
  versions: { commit: string; date: string; path: string; blob: string }[];
}

/**
 * The earlier versions of `files` (oldest first, at most `max` each), read with ONE `git log` walk per repository
 * (newest first, along the first-parent line, stopped as soon as every file has its versions) and one
 * `cat-file --batch` for the texts, instead of a walk and a reader per file. Renames are followed when the old name
 * is in the same folder as the file or one of the other files' folders (the walk's pathspecs are those folders).
 * Keys are the paths as given. A file outside git, never committed, or whose repository git cannot read (git
 * missing, no commits, a broken repository) has no entry: history only adds evidence. Versions git cannot give as
 * text (binary, invalid UTF-8, a symbolic link or submodule, not in a partial clone) are left out. Rejects only when
 * `signal` aborts.
 */
export async function readFileHistories(files: readonly string[], options: FileHistoryOptions = {}): Promise<Map<string, FileHistoryVersion[]>> {
  const out = new Map<string, FileHistoryVersion[]>();
  const max = options.max !== undefined && options.max > 0 ? Math.floor(options.max) : DEFAULT_HISTORY_MAX;
  // The repository of each folder: one `rev-parse` per folder, not per file.
  const repoOfDir = new Map<string, Promise<GitRepository | null>>();
  for (const file of files) {
    const dir = path.dirname(path.resolve(file));
    if (!repoOfDir.has(dir)) repoOfDir.set(dir, repositoryOf(dir, options).catch(() => null));
  }
  const byRepo = new Map<string, Map<string, string>>(); // root → path in repository → file as given
  for (const file of files) {
    const r = await repoOfDir.get(path.dirname(path.resolve(file)));
    if (!r) continue;
    const rel = pathInRepository(r.root, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    let m = byRepo.get(r.root);
    if (!m) byRepo.set(r.root, (m = new Map()));
    m.set(rel, file);
  }
  let bytesLeft = options.maxBytes ?? 64 << 20;
  for (const [root, rels] of byRepo) {
    let tracked: TrackedFile[];
    try {
      tracked = await walkHistories(root, rels, max, options);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      continue; // no commits yet, a broken repository: no history here
    }
    bytesLeft -= await readHistoryTexts(root, tracked, bytesLeft, options, out);
  }
  return out;
}

/** Pathspecs for a walk: each file's folder (renames inside it are seen), a file at the root by itself. */
function historyPathspecs(rels: Iterable<string>): string[][] {
  const specs = new Set<string>();
  for (const rel of rels) {
    const dir = path.posix.dirname(rel);
    specs.add(dir === '.' ? rel : dir);
  }
  // A folder inside another one listed adds nothing.
  const dirs = [...specs].sort();
  const kept = dirs.filter((d) => !dirs.some((o) => o !== d && d.startsWith(`${o}/`)));
  const chunks: string[][] = [[]];
  let chars = 0;
  for (const s of kept) {
    if (chars + s.length > PATHSPEC_CHARS && chunks[chunks.length - 1].length) {
      chunks.push([]);
      chars = 0;
    }
    chunks[chunks.length - 1].push(s);
    chars += s.length + 1;
  }
  return chunks;
}

/** The walk: newest commit first; each file's name is followed back through renames; stops when all are done. */
async function walkHistories(root: string, rels: ReadonlyMap<string, string>, max: number, options: FileHistoryOptions): Promise<TrackedFile[]> {
  const all: TrackedFile[] = [];
  const maxCommits = options.maxCommits ?? 10_000;
  for (const specs of historyPathspecs(rels.keys())) {
    // The name each file has at the point the walk has reached (renames change it).
    const active = new Map<string, TrackedFile>();
    for (const [rel, file] of rels) {
      if (!specs.some((s) => s === rel || rel.startsWith(`${s}/`))) continue;
      const t: TrackedFile = { file, versions: [] };
      all.push(t);
      active.set(rel, t);
    }
    if (active.size === 0) continue;
    let commit = '';
    let date = '';
    let commits = 0;
    let renames: [string, string][] = [];
    const endCommit = () => {
      for (const [from, to] of renames) {
        const t = active.get(to);
        if (!t) continue;
        active.delete(to);
        if (!active.has(from)) active.set(from, t);
      }
      renames = [];
    };
    const onEntry = (meta: string, first: string, second: string | undefined): void => {
      const [, newMode, , newOid, status = ''] = meta.split(' ');
      const name = second ?? first;
      const t = active.get(name);
      if (!t) return;
      const kind = status[0];
      if (kind === 'D') return; // deleted here: the versions before it are an earlier life of the name, kept walking
      if (newMode !== '120000' && newMode !== '160000' && !ZERO_OID.test(newOid ?? '')) t.versions.push({ commit, date, path: name, blob: newOid });
      if (t.versions.length >= max || kind === 'A' || kind === 'C') active.delete(name);
      else if (kind === 'R') renames.push([first, name]);
    };
    const args = ['log', '--first-parent', '-m', '--raw', '-M', '--no-abbrev', '-z', '--no-textconv', '--no-ext-diff', '--format=%x01%H%x02%aI', '--', ...specs];
    await streamGit(args, root, options, (token, next) => {
      // A header (`\x01<commit>\x02<date>`), or a raw entry's metadata (`:<modes> <oids> <status>`) and its paths.
      let s = token.toString('utf8');
      while (s[0] === '\n') s = s.slice(1);
      if (s[0] === '\x01') {
        endCommit();
        if (active.size === 0 || ++commits > maxCommits) return false;
        [commit, date] = s.slice(1).split('\x02');
        return true;
      }
      if (s[0] === ':') {
        const status = s.split(' ')[4] ?? '';
        const first = next().toString('utf8');
        const second = status[0] === 'R' || status[0] === 'C' ? next().toString('utf8') : undefined;
        onEntry(s, first, second);
      }
      return true;
    });
  }
  return all;
}

/**
 * Runs a hardened git command and hands its NUL-separated output to `onToken` as it arrives (`next()` gives the
 * token after it, for records of several tokens). `onToken` returning false stops git: the walk has what it needs.
 * Rejects with GitError when git fails before it was stopped.
 */
function streamGit(args: string[], cwd: string, options: GitOptions, onToken: (token: Buffer, next: () => Buffer) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(gitBinary(options), [...HARDENING, ...args], { cwd, env: gitEnvironment().env, windowsHide: true, signal: options.signal });
    } catch (e) {
      return reject(e);
    }
    child.stdin.end();
    let stopped = false;
    let stderr = '';
    const tokens: Buffer[] = [];
    let rest: Buffer = EMPTY;
    // Tokens wait until the one after them has arrived too (a record's paths follow its metadata).
    const drain = (final: boolean) => {
      while (!stopped && (tokens.length > 2 || (final && tokens.length))) {
        const token = tokens.shift()!;
        const next = () => tokens.shift() ?? EMPTY;
        if (!onToken(token, next)) {
          stopped = true;
          child.kill();
        }
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      for (let nul = buf.indexOf(0); nul >= 0; nul = buf.indexOf(0)) {
        tokens.push(Buffer.from(buf.subarray(0, nul)));
        buf = buf.subarray(nul + 1);
      }
      rest = Buffer.from(buf);
      drain(false);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      stopped = true;
      reject(e.code === 'ENOENT' ? new GitError(GIT_MISSING_MESSAGE, 'git-missing') : e);
    });
    child.on('close', (code) => {
      if (stopped) return resolve();
      if (code !== 0) return reject(Object.assign(new GitError(`git failed: ${stderr.trim() ? gitReason(stderr) : `git exited with ${code}`}`, 'git-failed'), { stderr }));
      if (rest.length) tokens.push(rest);
      drain(true);
      resolve();
    });
  });
}

/**
 * Reads the walked versions' texts with one `cat-file --batch-check` (sizes) and one `cat-file --batch`: newest
 * versions of every file first, so a byte budget cuts the oldest. Fills `out`; returns the bytes read.
 */
async function readHistoryTexts(root: string, tracked: readonly TrackedFile[], budget: number, options: FileHistoryOptions, out: Map<string, FileHistoryVersion[]>): Promise<number> {
  const maxVersionBytes = options.maxVersionBytes ?? 4 << 20;
  const blobs = [...new Set(tracked.flatMap((t) => t.versions.map((v) => v.blob)))];
  if (blobs.length === 0) return 0;
  const sizes = new Map<string, number>();
  const check = new GitObjectReader(root, { ...options, sizesOnly: true });
  try {
    await Promise.all(blobs.map(async (b) => {
      const o = await check.read(b);
      if (o?.type === 'blob') sizes.set(b, o.size);
    }));
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    return 0;
  } finally {
    check.close();
  }
  // Round k takes the k-th newest version of each file (versions are newest first here).
  const chosen = new Set<string>();
  let used = 0;
  let full = false;
  const depth = Math.max(0, ...tracked.map((t) => t.versions.length));
  for (let k = 0; k < depth && !full; k++) {
    for (const t of tracked) {
      const v = t.versions[k];
      const size = v && sizes.get(v.blob);
      if (size === undefined || size > maxVersionBytes || chosen.has(v.blob)) continue;
      if (used + size > budget) {
        full = true;
        break;
      }
      chosen.add(v.blob);
      used += size;
    }
  }
  const texts = new Map<string, string | undefined>();
  const reader = new GitObjectReader(root, options);
  try {
    await Promise.all([...chosen].map(async (b) => {
      const o = await reader.read(b);
      try {
        texts.set(b, o ? decodeVersionText(o.bytes, b) : undefined);
      } catch {
        texts.set(b, undefined); // binary or invalid UTF-8: left out, as a file on disk would be
      }
    }));
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    // the reader stopped (a partial clone's missing object): what was read is kept
  } finally {
    reader.close();
  }
  for (const t of tracked) {
    const versions: FileHistoryVersion[] = [];
    for (const v of t.versions) {
      const source = texts.get(v.blob);
      if (source !== undefined) versions.push({ commit: v.commit, date: v.date, path: v.path, source });
    }
    if (versions.length) out.set(t.file, versions.reverse());
  }
  return used;
}
