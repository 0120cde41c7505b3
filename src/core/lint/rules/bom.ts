// bom: a byte order mark at the start of the file, which loaders keep or strip inconsistently.
import type { LintRule } from '../helper';

export const rule: LintRule = {
  id: 'bom',
  title: 'Byte order mark at the start of the file',
  defaultSeverity: 'warning',
  explanation:
    'A UTF-8 BOM is an invisible character that some loaders keep and others strip; when it appears or disappears, the very first token changes and nothing is reused. The fix removes it.',
  details: 'Reported as info when there is no previous version, as a warning when the BOM is new.',
  evidence: 'Whether the previous version had a BOM.',
  check(h) {
    if (!h.ctx.source.startsWith('\uFEFF') || !h.isRendered(0)) return [];
    const prev = h.ctx.previous?.source;
    if (prev !== undefined && prev.startsWith('\uFEFF')) return [];
    return [
      {
        ruleId: 'bom',
        severity: prev !== undefined ? 'warning' : 'info',
        message: prev !== undefined ? 'A byte order mark appeared at the start of the file: the first token changes, nothing is reused.' : 'The file starts with a byte order mark; loaders differ on keeping it, so it can change the very first token.',
        range: h.range(0, 1),
        tokensAtRisk: h.atRiskFromSource(0),
        fix: { title: 'Remove the byte order mark', edits: [{ range: h.range(0, 1), newText: '' }] },
        evidence: prev !== undefined ? { kind: 'previous-version', summary: 'The previous version had no byte order mark.' } : { kind: 'measurement', summary: 'U+FEFF is the first character of the file.' },
      },
    ];
  },
};
