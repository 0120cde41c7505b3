// The one place the extension calls into the core for auditing. Keeping it thin and in one file means the
// extension follows the core's API as it evolves without touching the worker or the editor adapters.
import { diffVersions, estimateForVersions, extractPrompt, resolveEncoding as coreResolveEncoding } from '../../core/audit';
import { getBpeEncoder, getEncoder, type EncodingName, type TokenizedText } from '../../core/encodings';
import { IncrementalTokenizer } from '../../core/tokenizer/incremental';
import type { DiffResult, ExtractedPrompt, ProviderEstimate } from '../../core/types';
import type { AuditSettings } from '../auditProtocol';

/** What the model sees for a version of the file, and how to map it back to the file. */
export type Rendered = ExtractedPrompt;

export function resolveEncoding(settings: AuditSettings): { encoding: EncodingName; note?: string } {
  return coreResolveEncoding({ encoding: settings.encoding === 'auto' ? undefined : settings.encoding, provider: settings.provider, model: settings.model || undefined });
}

export function render(source: string, fileName: string): Rendered {
  return extractPrompt(source, fileName);
}

/** Token sequence of a text that can follow edits. */
export interface TokenSequence {
  readonly ids: Uint32Array;
  /** Rendered offset of each token's start; length ids.length + 1. */
  readonly starts: Uint32Array;
  /** Applies one edit; returns the first token index whose id may differ. */
  applyEdit(offset: number, deleteLength: number, insertText: string): { firstChangedToken: number; incremental: boolean };
}

class IncrementalSequence implements TokenSequence {
  private readonly tok: IncrementalTokenizer;
  constructor(encoding: EncodingName, text: string) {
    this.tok = new IncrementalTokenizer(getBpeEncoder(encoding), text);
  }
  get ids(): Uint32Array {
    return this.tok.ids;
  }
  get starts(): Uint32Array {
    return this.tok.starts;
  }
  applyEdit(offset: number, deleteLength: number, insertText: string) {
    const r = this.tok.applyEdit(offset, deleteLength, insertText);
    return { firstChangedToken: r.firstChangedToken, incremental: true };
  }
}

export function createTokenSequence(encoding: EncodingName, text: string): TokenSequence {
  return new IncrementalSequence(encoding, text);
}

export function tokenize(encoding: EncodingName, text: string): TokenizedText {
  return getEncoder(encoding).tokenize(text);
}

export function commonPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>, from = 0): number {
  const n = Math.min(a.length, b.length);
  let i = Math.min(from, n);
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Provider estimate from incrementally maintained tokens: the core's own function, so it equals diffVersions'. */
export function estimateProviders(
  settings: AuditSettings,
  encoding: EncodingName,
  reusablePrefix: number,
  oldPrompt: Rendered,
  oldTokens: TokenizedText,
  newPrompt: Rendered,
  newTokens: TokenizedText,
): ProviderEstimate[] {
  return estimateForVersions(
    { oldPrompt, newPrompt, oldTokens, newTokens, reusablePrefixTokens: reusablePrefix },
    { provider: settings.provider, model: settings.model || undefined, pricePerMTok: settings.pricePerMillionTokens ?? undefined, encoding },
  );
}

export interface FullAuditInput {
  oldSource: string;
  newSource: string;
  fileName: string;
  oldFileName?: string;
  settings: AuditSettings;
}

/** The core's whole audit (format-aware diff, provider estimates and lint findings), as the CLI computes it. */
export function fullAudit(input: FullAuditInput): DiffResult {
  const s = input.settings;
  return diffVersions(input.oldSource, input.newSource, {
    fileName: input.fileName,
    oldFileName: input.oldFileName,
    encoding: s.encoding === 'auto' ? undefined : s.encoding,
    provider: s.provider,
    model: s.model || undefined,
    pricePerMTok: s.pricePerMillionTokens ?? undefined,
  });
}
