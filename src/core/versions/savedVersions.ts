// "Last save" baselines: one snapshot per file in the extension's storage, bounded in count and bytes so the
// storage cannot grow without limit (least recently saved snapshots go first). No `vscode` here: unit-tested.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { VersionRef, VersionSource, VersionText } from './index';

export interface SnapshotLimits {
  maxCount: number;
  maxBytes: number;
}

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxCount: 200, maxBytes: 64 * 1024 * 1024 };

export interface Snapshot {
  uri: string;
  savedAt: number;
  text: string;
}

interface Entry {
  file: string;
  bytes: number;
  savedAt: number;
}

export class SnapshotStore {
  private index: Map<string, Entry> | undefined;
  // Serialises writes and evictions: two saves in quick succession must not interleave their bookkeeping.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS,
  ) {}

  private fileFor(uri: string): string {
    return path.join(this.dir, createHash('sha256').update(uri).digest('hex').slice(0, 32) + '.json');
  }

  private async load(): Promise<Map<string, Entry>> {
    if (this.index) return this.index;
    const index = new Map<string, Entry>();
    let names: string[] = [];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      // No directory yet: empty store.
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      try {
        const snap = JSON.parse(await fs.readFile(file, 'utf8')) as Snapshot;
        if (typeof snap.uri !== 'string' || typeof snap.text !== 'string') continue;
        const st = await fs.stat(file);
        index.set(snap.uri, { file, bytes: st.size, savedAt: snap.savedAt });
      } catch {
        await fs.rm(file, { force: true }); // unreadable leftover: drop it rather than fail every load
      }
    }
    this.index = index;
    return index;
  }

  private run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stores the text as the file's last-saved version; returns false when it alone exceeds the byte limit. */
  put(uri: string, text: string, savedAt = Date.now()): Promise<boolean> {
    return this.run(async () => {
      const index = await this.load();
      const body = JSON.stringify({ uri, savedAt, text } satisfies Snapshot);
      const bytes = Buffer.byteLength(body);
      if (bytes > this.limits.maxBytes) return false;
      await fs.mkdir(this.dir, { recursive: true });
      const file = this.fileFor(uri);
      // Write then rename: a crash mid-write never leaves a truncated snapshot behind.
      const tmp = file + '.tmp';
      await fs.writeFile(tmp, body, 'utf8');
      await fs.rename(tmp, file);
      index.set(uri, { file, bytes, savedAt });
      await this.evict(index);
      return true;
    });
  }

  get(uri: string): Promise<Snapshot | undefined> {
    return this.run(async () => {
      const index = await this.load();
      const e = index.get(uri);
      if (!e) return undefined;
      try {
        return JSON.parse(await fs.readFile(e.file, 'utf8')) as Snapshot;
      } catch {
        index.delete(uri);
        return undefined;
      }
    });
  }

  /** Removes every snapshot; returns how many there were. */
  clear(): Promise<number> {
    return this.run(async () => {
      const index = await this.load();
      const n = index.size;
      for (const e of index.values()) await fs.rm(e.file, { force: true });
      index.clear();
      return n;
    });
  }

  stats(): Promise<{ count: number; bytes: number }> {
    return this.run(async () => {
      const index = await this.load();
      let bytes = 0;
      for (const e of index.values()) bytes += e.bytes;
      return { count: index.size, bytes };
    });
  }

  private async evict(index: Map<string, Entry>): Promise<void> {
    let bytes = 0;
    for (const e of index.values()) bytes += e.bytes;
    if (index.size <= this.limits.maxCount && bytes <= this.limits.maxBytes) return;
    const oldestFirst = [...index.entries()].sort((a, b) => a[1].savedAt - b[1].savedAt);
    for (const [uri, e] of oldestFirst) {
      if (index.size <= this.limits.maxCount && bytes <= this.limits.maxBytes) break;
      await fs.rm(e.file, { force: true });
      index.delete(uri);
      bytes -= e.bytes;
    }
  }
}

/** The last-save snapshot of one document as a version source (at most one version: the newest save). */
export class SavedVersionSource implements VersionSource {
  readonly kind = 'saved' as const;
  constructor(
    private readonly store: SnapshotStore,
    private readonly uri: string,
    private readonly fileName: string,
  ) {}

  async list(): Promise<VersionRef[]> {
    const snap = await this.store.get(this.uri);
    return snap ? [{ id: `saved:${snap.savedAt}`, label: `last save ${new Date(snap.savedAt).toLocaleTimeString()}`, date: new Date(snap.savedAt).toISOString(), fileName: this.fileName }] : [];
  }

  async read(ref: VersionRef): Promise<VersionText> {
    const snap = await this.store.get(this.uri);
    if (!snap || `saved:${snap.savedAt}` !== ref.id) throw new Error(`${this.fileName}: the saved version ${ref.label} is no longer stored`);
    return { ...ref, text: snap.text };
  }
}
