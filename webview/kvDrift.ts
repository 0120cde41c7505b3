// KV drift map: layers (rows) × token positions (columns, bucketed to the canvas width) of the relative change of
// keys/values between the baseline and the current version, from the local decoder. Versions are lined up by token
// identity: each unchanged token after the edit is compared with itself in the old version (moved by the edit's
// length change); edited tokens have no counterpart and are drawn neutral.
import { bucketMatrix } from '../src/view/bucketing';
import type { KvDriftView } from '../src/view/protocol';
import { cssVar, el, fmt } from './dom';

/** Caption of the map: what is compared with what (exported for tests of the wording). */
export function kvDriftCaption(d: KvDriftView, max: number): string {
  const shift = d.shift ?? 0;
  const align = shift === 0
    ? 'each later token is compared with the same token at the same position'
    : `each unchanged token after the edit is compared with itself, ${Math.abs(shift)} position${Math.abs(shift) === 1 ? '' : 's'} ${shift > 0 ? 'earlier' : 'later'} in the baseline`;
  const win = d.window ? ` Window: tokens ${fmt(d.window.start)}–${fmt(d.window.end - 1)} (the prompt is longer than the token cap).` : '';
  return `${d.layers} layers × ${fmt(d.positions)} positions from the first divergent token (#${fmt(d.editPosition)}); ${align}; grey = edited tokens; darker red = larger change (log scale, max ${max.toExponential(2)}).${win}`;
}

export function renderKvDrift(root: HTMLElement, d: KvDriftView, rerun: () => void): void {
  root.removeAttribute('aria-busy');
  const again = el('vscode-button', { secondary: '' }, 'Compute again');
  again.addEventListener('click', rerun);
  const width = Math.max(200, Math.min(900, root.clientWidth - 40 || 600));
  const cellH = 14;
  const { data, columns } = bucketMatrix(d.values, d.layers, d.positions, width);
  // A column is edited when every position in its bucket is: bucket the complement and look for zeros.
  const kept = new Float32Array(d.positions);
  for (let p = 0; p < d.positions; p++) kept[p] = d.edited?.[p] ? 0 : 1;
  const keptCols = bucketMatrix(kept, 1, d.positions, width).data;
  const canvas = document.createElement('canvas');
  canvas.width = columns;
  canvas.height = d.layers * cellH;
  canvas.className = 'kv';
  canvas.style.height = `${d.layers * cellH}px`; // the width stretches (pixelated) to the panel
  canvas.setAttribute('role', 'img');
  let max = 0;
  for (const v of data) if (v > max) max = v;
  const editedCount = d.edited ? d.edited.reduce((a, b) => a + b, 0) : 0;
  canvas.setAttribute('aria-label', `KV drift: ${d.layers} layers by ${d.positions} positions from token ${d.editPosition}, ${editedCount} edited; largest relative change ${max.toExponential(2)}`);
  const ctx = canvas.getContext('2d');
  const hot = cssVar('--vscode-promptCache-recomputedTokenBackground', 'rgb(248,81,73)');
  const neutral = cssVar('--vscode-descriptionForeground', 'rgb(128,128,128)');
  if (ctx) {
    for (let l = 0; l < d.layers; l++) {
      for (let c = 0; c < columns; c++) {
        if (keptCols[c] === 0) {
          ctx.globalAlpha = 0.35;
          ctx.fillStyle = neutral;
        } else {
          const v = data[l * columns + c];
          // Log scale: drift spans 0 (layer 0 of an unchanged token is bit-exact) to ~1e-1.
          ctx.globalAlpha = v <= 0 ? 0 : Math.min(1, Math.max(0.08, (Math.log10(v) + 6) / 6));
          ctx.fillStyle = hot;
        }
        ctx.fillRect(c, l * cellH, 1, cellH - 1);
      }
    }
    ctx.globalAlpha = 1;
  }
  const labels = el('div', { class: 'kv-labels' });
  for (let l = 0; l < d.layers; l++) labels.append(el('div', {}, `L${l}`));
  root.replaceChildren(
    el('div', { class: 'actions' }, again, el('span', { class: 'muted', 'data-testid': 'kv-caption' }, kvDriftCaption(d, max))),
    el('div', { class: 'kv-wrap' }, labels, canvas),
    ...d.notes.map((n) => el('p', { class: 'note muted' }, n)),
  );
}
