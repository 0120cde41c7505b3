// History tab, host side: the file's Git history, one row per commit, with what each version invalidated. The rows
// and their notes (not in git, shallow clone, merges, versions left out) come from src/extension/historyLoader.ts.
import { loadHistoryView } from '../historyLoader';
import type { HostTab } from '../panelTabs';

export const tab: HostTab<'history'> = {
  load: (ctx) => loadHistory(ctx),
  run: (ctx) => loadHistory(ctx),
};

async function loadHistory(ctx: Parameters<NonNullable<HostTab<'history'>['load']>>[0]): Promise<void> {
  const doc = ctx.doc;
  if (!doc) return;
  const uri = doc.uri.toString();
  ctx.busy('Reading Git history…');
  try {
    const view = await loadHistoryView(doc, ctx.audits);
    if (!view || !ctx.stillCurrent()) return;
    ctx.post(view, uri);
  } catch (e) {
    ctx.error(e instanceof Error ? e.message : String(e));
  }
}
