// The one place the extension calls into the core for auditing. Keeping it thin and in one file means the
// extension follows the core's API as it evolves without touching the worker or the editor adapters.
import { diffVersions, estimateForVersions, extractPrompt, resolveEncoding as coreResolveEncoding } from '../../core/audit';
import { tokenizePieces } from '../../core/divergence';
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

/** Token sequence of a rendered prompt; `incremental` ones can follow edits. */
export interface TokenSequence {
  /** The text the tokens are of. */
  readonly text: string;
  /** A view, valid until the next edit. */
  readonly ids: Uint32Array;
  /** Rendered offset of each token's start; length ids.length + 1. Can cost O(tokens after the last edit). */
  readonly starts: Uint32Array;
  readonly incremental: boolean;
  /** Start of token i (i <= ids.length), O(1). */
  tokenStart(i: number): number;
  /** Applies one edit (incremental sequences only); returns the first token index whose id may differ. */
  applyEdit(offset: number, deleteLength: number, insertText: string): { firstChangedToken: number };
}

class IncrementalSequence implements TokenSequence {
  private readonly tok: IncrementalTokenizer;
  readonly incremental = true;
  constructor(encoding: EncodingName, text: string) {
    this.tok = new IncrementalTokenizer(getBpeEncoder(encoding), text);
  }
  get text(): string {
    return this.tok.text;
  }
  get ids(): Uint32Array {
    return this.tok.ids;
  }
  get starts(): Uint32Array {
    return this.tok.starts;
  }
  tokenStart(i: number): number {
    return this.tok.tokenStart(i);
  }
  applyEdit(offset: number, deleteLength: number, insertText: string) {
    return { firstChangedToken: this.tok.applyEdit(offset, deleteLength, insertText).firstChangedToken };
  }
}

/** Tokens of a rendering with hard boundaries (JSON bodies: no merge across messages), as the core cuts them. */
class PiecesSequence implements TokenSequence {
  readonly incremental = false;
  private readonly t: TokenizedText;
  constructor(encoding: EncodingName, readonly text: string, boundaries: number[]) {
    this.t = tokenizePieces(getEncoder(encoding), text, boundaries);
  }
  get ids(): Uint32Array {
    return this.t.ids;
  }
  get starts(): Uint32Array {
    return this.t.starts;
  }
  tokenStart(i: number): number {
    return this.t.starts[i];
  }
  applyEdit(): never {
    throw new Error('not an incremental token sequence');
  }
}

/** Tokens of a rendered prompt exactly as the core counts them (hard boundaries included). */
export function createTokenSequence(encoding: EncodingName, rendered: Pick<Rendered, 'text' | 'hardBoundaries'>): TokenSequence {
  return rendered.hardBoundaries?.length ? new PiecesSequence(encoding, rendered.text, rendered.hardBoundaries) : new IncrementalSequence(encoding, rendered.text);
}

/** One-off tokens of a rendered prompt, as the core's diff computes them. */
export function tokenizeRendered(encoding: EncodingName, rendered: Pick<Rendered, 'text' | 'hardBoundaries'>): TokenizedText {
  return tokenizePieces(getEncoder(encoding), rendered.text, rendered.hardBoundaries);
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
