// Workspace tab, host side: its button runs Audit Workspace (src/extension/workflows.ts), which streams rows here.
import type { HostTab } from '../panelTabs';

export const tab: HostTab<'workspace'> = {
  run: (ctx) => ctx.workflows.auditWorkspace(),
};
