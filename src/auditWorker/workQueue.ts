// Dropping stale work in the audit worker. A request is stale when a later message in the same batch makes its
// answer obsolete: the host would throw the answer away (its version is no longer the document's).
import type { HostToWorker } from './protocol';

export function coalesce(batch: readonly HostToWorker[]): HostToWorker[] {
  let cancelUpTo = -1;
  for (const m of batch) if (m.type === 'cancel') cancelUpTo = Math.max(cancelUpTo, m.requestId);
  const out: HostToWorker[] = [];
  for (let i = 0; i < batch.length; i++) {
    const m = batch[i];
    if (m.type === 'cancel') continue;
    if ((m.type === 'audit' || m.type === 'tokens' || m.type === 'history') && m.requestId <= cancelUpTo) continue;
    if (m.type === 'audit' || m.type === 'tokens') {
      // A later edit, reopen or request of the same kind for this document supersedes this one.
      const superseded = batch.slice(i + 1).some((n) => 'uri' in n && n.uri === m.uri && (n.type === 'change' || n.type === 'open' || n.type === 'close' || n.type === m.type));
      if (superseded) continue;
    }
    out.push(m);
  }
  return out;
}
