// Recompute-time tab, host side: its button runs the measure workflow (src/extension/workflows.ts).
import type { HostTab } from '../panelTabs';

export const tab: HostTab<'timing'> = {
  run: async (ctx) => {
    if (ctx.doc) await ctx.workflows.measure(ctx.doc);
  },
};
