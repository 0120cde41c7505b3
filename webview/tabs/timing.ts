// Recompute-time tab: cold vs. cached-prefix bars (webview/timing.ts, the decoder's renderer). Each render bumps
// data-render-count, so a test can tell a new measurement from an old one.
import { renderTiming } from '../timing';
import type { WebviewTab } from '../panelTabs';

export const tab: WebviewTab<'timing'> = {
  render: (body, data, ctx) => {
    renderTiming(body, data, () => ctx.run());
    body.dataset.renderCount = String(Number(body.dataset.renderCount ?? 0) + 1);
  },
};
