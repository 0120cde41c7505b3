// A change to a setting outside the prompt text that selects or shapes the request (front matter `tools`, `model`,
// `applyTo`, `mode`/`agent`; a request body's `model`) leaves no cached prefix: the request differs from its start
// (tool schemas precede the system prompt), or is attached to other requests, or goes to another model's cache.
import type { ExtractedPrompt, RequestKey } from '../types';

export interface RequestKeyChange {
  /** e.g. `front matter: tools`, `model`. */
  key: string;
  /** The key in the new version (absent when it was removed). */
  now?: RequestKey;
  /** The key in the old version (absent when it was added). */
  before?: RequestKey;
  /** One line for the user. */
  reason: string;
}

/**
 * The first request key whose value differs between two renderings, or null: first in the new version's source
 * order (the line a reader meets first), then keys only the old version has.
 */
export function requestKeyChange(oldPrompt: Pick<ExtractedPrompt, 'requestKeys'>, newPrompt: Pick<ExtractedPrompt, 'requestKeys'>): RequestKeyChange | null {
  const a = oldPrompt.requestKeys ?? {};
  const b = newPrompt.requestKeys ?? {};
  const bySource = (o: Record<string, RequestKey>) => Object.keys(o).sort((x, y) => o[x].start - o[y].start);
  const keys = [...bySource(b), ...bySource(a).filter((k) => !(k in b))];
  for (const key of keys) {
    const before = a[key];
    const now = b[key];
    if (before?.value === now?.value) continue;
    const what = before && now ? 'changed' : now ? 'was added' : 'was removed';
    const why = (now ?? before)!.why;
    return { key, now, before, reason: `\`${key.replace(/^front matter: /, '')}\` ${what}: ${why}; no cached prefix is reused` };
  }
  return null;
}
