// History tab, host side: the file's Git history, one row per commit, with what each version invalidated.
// (The "git" change adds src/extension/historyLoader.ts; this provider calls it once it lands.)
import type { HistoryRowView } from '../../view/protocol';
import * as git from '../git';
import type { HostTab } from '../panelTabs';

const MAX_COMMITS = 60;

export const tab: HostTab<'history'> = {
  load: (ctx) => loadHistory(ctx),
  run: (ctx) => loadHistory(ctx),
};

async function loadHistory(ctx: Parameters<NonNullable<HostTab<'history'>['load']>>[0]): Promise<void> {
  const doc = ctx.doc;
  if (!doc) return;
  const uri = doc.uri.toString();
  if (doc.uri.scheme !== 'file') return ctx.post({ rows: [], note: 'History needs a file in a Git repository.' }, uri);
  ctx.busy('Reading Git history…');
  try {
    const revs = (await git.fileLog(doc.uri.fsPath, MAX_COMMITS)).reverse(); // oldest first
    if (revs.length === 0) return ctx.post({ rows: [], note: 'No commits touch this file (not in a Git repository, or never committed).' }, uri);
    const versions: { id: string; text: string }[] = [];
    for (const r of revs) versions.push({ id: r.hash, text: (await git.showAt(doc.uri.fsPath, r.hash, r.path)) ?? '' });
    const rows = await ctx.audits.history(doc, versions);
    if (!rows || !ctx.stillCurrent()) return;
    const byHash = new Map(revs.map((r) => [r.hash, r]));
    const views: HistoryRowView[] = rows.map((row) => {
      const r = byHash.get(row.id)!;
      return { commit: r.hash, shortHash: r.hash.slice(0, 7), subject: r.subject, date: r.date, tokens: row.tokens, firstDivergentToken: row.firstDivergentToken, recomputedTokens: row.recomputedTokens };
    });
    ctx.post({ rows: views.reverse(), note: revs.length >= MAX_COMMITS ? `The ${MAX_COMMITS} most recent commits.` : undefined }, uri); // newest first
  } catch (e) {
    ctx.error(e instanceof Error ? e.message : String(e));
  }
}
