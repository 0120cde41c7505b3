// KV drift map: layers (rows) × token positions (columns, bucketed to the canvas width) of the relative change of
// keys/values between the baseline and the current version, from the local decoder.
import { bucketMatrix } from '../src/view/bucketing';
import type { KvDriftView } from '../src/view/protocol';
import { cssVar, el, fmt } from './dom';

export function renderKvDrift(root: HTMLElement, d: KvDriftView, rerun: () => void): void {
  root.removeAttribute('aria-busy');
  const again = el('vscode-button', { secondary: '' }, 'Compute again');
  again.addEventListener('click', rerun);
  const width = Math.max(200, Math.min(900, root.clientWidth - 40 || 600));
  const cellH = 14;
  const { data, columns } = bucketMatrix(d.values, d.layers, d.positions, width);
  const canvas = document.createElement('canvas');
  canvas.width = columns;
  canvas.height = d.layers * cellH;
  canvas.className = 'kv';
  canvas.style.height = `${d.layers * cellH}px`; // the width stretches (pixelated) to the panel
  canvas.setAttribute('role', 'img');
  let max = 0;
  for (const v of data) if (v > max) max = v;
  canvas.setAttribute('aria-label', `KV drift: ${d.layers} layers by ${d.positions} positions from token ${d.editPosition}; largest relative change ${max.toExponential(2)}`);
  const ctx = canvas.getContext('2d');
  const hot = cssVar('--vscode-promptCache-recomputedTokenBackground', 'rgb(248,81,73)');
  if (ctx) {
    for (let l = 0; l < d.layers; l++) {
      for (let c = 0; c < columns; c++) {
        const v = data[l * columns + c];
        // Log scale: drift spans 0 (layer 0 after the edit is bit-exact) to ~1e-1.
        const a = v <= 0 ? 0 : Math.min(1, Math.max(0.08, (Math.log10(v) + 6) / 6));
        ctx.globalAlpha = a;
        ctx.fillStyle = hot;
        ctx.fillRect(c, l * cellH, 1, cellH - 1);
      }
    }
    ctx.globalAlpha = 1;
  }
  const labels = el('div', { class: 'kv-labels' });
  for (let l = 0; l < d.layers; l++) labels.append(el('div', {}, `L${l}`));
  root.replaceChildren(
    el('div', { class: 'actions' }, again, el('span', { class: 'muted' }, `${d.layers} layers × ${fmt(d.positions)} positions from the first divergent token (#${fmt(d.editPosition)}); darker = larger change (log scale, max ${max.toExponential(2)}).`)),
    el('div', { class: 'kv-wrap' }, labels, canvas),
    ...d.notes.map((n) => el('p', { class: 'note muted' }, n)),
  );
}
