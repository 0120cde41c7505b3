// Lining two prompt versions up by token identity for the KV-drift map: the shared prefix ends at the first divergent
// token, the shared tail is the longest common suffix after it, and every tail token of the new version is compared
// with the same token of the old version (moved by the length change of the edit). Index-by-index comparison after
// an insertion would compare unrelated tokens and show misalignment, not entanglement. Pure functions.
import type { KvAlignment } from './types';

/** Longest common suffix of the two sequences, at most `limit` long. */
export function commonSuffix(a: ArrayLike<number>, b: ArrayLike<number>, limit: number): number {
  let s = 0;
  while (s < limit && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return s;
}

export function alignVersions(oldIds: ArrayLike<number>, newIds: ArrayLike<number>, divergenceIndex: number): KvAlignment {
  const d = divergenceIndex;
  const suffix = commonSuffix(oldIds, newIds, Math.min(oldIds.length, newIds.length) - d);
  return {
    commonPrefix: d,
    commonSuffix: suffix,
    shift: newIds.length - oldIds.length,
    editedOld: [d, oldIds.length - suffix],
    editedNew: [d, newIds.length - suffix],
  };
}

/** The old index a new index is compared with: its own index in the prefix, index − shift in the tail; else null. */
export function alignedOldIndex(a: KvAlignment, newIndex: number): number | null {
  if (newIndex < a.editedNew[0]) return newIndex;
  if (newIndex >= a.editedNew[1]) return newIndex - a.shift;
  return null;
}

export interface DriftWindow {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
  truncated: boolean;
}

/**
 * Token ranges to feed, at most `cap` per version. When both versions fit, the whole of each. Otherwise a quarter of
 * the cap of shared context before the divergence (more near the end) and the rest after it; the old window ends
 * where its aligned counterpart of the new window's last token is (so the compared tail is the same tokens).
 */
export function chooseWindow(lenOld: number, lenNew: number, a: KvAlignment, cap: number): DriftWindow {
  if (lenOld <= cap && lenNew <= cap) return { oldStart: 0, oldEnd: lenOld, newStart: 0, newEnd: lenNew, truncated: false };
  const d = a.commonPrefix;
  const before = Math.min(d, Math.floor(cap / 4));
  const newEnd = Math.min(lenNew, d - before + cap);
  // Near the end of the prompt the unused part of the cap becomes more context before the divergence.
  const start = Math.max(0, Math.min(d - before, newEnd - cap));
  // The old version's window covers the old tokens aligned with the new window: its edited span, then the tail.
  let oldEnd: number;
  if (newEnd <= a.editedNew[1]) oldEnd = Math.min(a.editedOld[1], start + cap);
  else oldEnd = newEnd - a.shift;
  oldEnd = Math.min(lenOld, oldEnd, start + cap);
  return { oldStart: start, oldEnd, newStart: start, newEnd, truncated: true };
}

/**
 * Rotates one head's key vector by `shift` positions of rotate-half RoPE (dims i and i + D/2 form a plane turning at
 * θ^(−2i/D) per position): R(p + shift) = R(shift)·R(p), so this turns the old K at p into what it would be at p + shift.
 */
export function ropeShift(k: Float32Array, offset: number, headDim: number, shift: number, theta: number, out: Float64Array): void {
  const half = headDim / 2;
  for (let i = 0; i < half; i++) {
    const angle = shift * Math.pow(theta, (-2 * i) / headDim);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const x1 = k[offset + i];
    const x2 = k[offset + half + i];
    out[i] = x1 * c - x2 * s;
    out[half + i] = x2 * c + x1 * s;
  }
}
