// KV drift tab: the layers × positions map (webview/kvDrift.ts, the decoder's renderer).
import { renderKvDrift } from '../kvDrift';
import type { WebviewTab } from '../panelTabs';

export const tab: WebviewTab<'kv'> = {
  render: (body, data, ctx) => renderKvDrift(body, data, () => ctx.run()),
};
