// KV drift tab, host side: its button runs the KV-drift workflow (src/extension/workflows.ts) on the panel's file.
import type { HostTab } from '../panelTabs';

export const tab: HostTab<'kv'> = {
  run: async (ctx) => {
    if (ctx.doc) await ctx.workflows.kvDrift(ctx.doc);
  },
};
