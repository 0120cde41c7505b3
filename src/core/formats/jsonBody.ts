// JSON request bodies (`.json`): rendered in the provider's cache order; the body's `model` selects the cache.
import type { RequestKey } from '../types';
import { canonicalJson } from './frontMatter';
import { extractJson, parseJsonWithRanges } from './json';
import type { PromptFormatModule } from './registry';

export const jsonBodyFormat: PromptFormatModule = {
  id: 'json',
  description: 'JSON request bodies (`.json`: Anthropic Messages, OpenAI Chat/Responses, Gemini), in the provider\'s cache order',
  fileNames: ['**/*.json'],
  extract(source) {
    const p = extractJson(source, 0, 'json');
    const model = modelKey(source);
    if (model && p.format !== 'json') p.requestKeys = { model };
    return p;
  },
};

/** The body's top-level `model`: another model is another cache, whatever the text. */
function modelKey(source: string): RequestKey | undefined {
  const { doc } = parseJsonWithRanges(source, 0);
  const contents = doc?.contents as { items?: { key?: { value?: unknown; range?: number[] }; value?: { toJSON?: () => unknown; range?: number[] } }[] } | null | undefined;
  const pair = contents?.items?.find((i) => i.key?.value === 'model');
  if (!pair || !pair.value) return undefined;
  const value = (pair.value as { value?: unknown }).value;
  const start = pair.key?.range?.[0] ?? 0;
  const end = pair.value.range?.[1] ?? start;
  // parseJsonWithRanges skips a BOM as a space: offsets are the source's.
  return { value: canonicalJson(value), start, end, why: 'another model has its own cache: a cold cache' };
}
