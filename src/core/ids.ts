// The closed lists the whole product shares: provider ids and encoding names. Kept apart from the data and code
// they key (providers/rules.json, encodings.ts) so that cheap callers (the extension's settings reader at
// activation, the manifest test) read them without loading rule tables or rank files. A test checks that
// PROVIDER_IDS, the providers in src/core/providers/rules.json and package.json's `promptCache.provider` enum agree.
export const PROVIDER_IDS = [
  'anthropic',
  'openai',
  'gemini',
  'deepseek',
  'vllm',
  'sglang',
  'llamacpp',
  'bedrock',
  'azure-openai',
  'xai',
  'mistral',
  'fireworks',
  'together',
  'groq',
  'openrouter',
  'moonshot',
  'dashscope',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** tiktoken encodings (exact BPE with prebuilt rank tables; the incremental tokenizer supports these). */
export const ENCODING_NAMES = ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'] as const;
export type BpeEncodingName = (typeof ENCODING_NAMES)[number];

/**
 * Open models' own tokenizers (Hugging Face tokenizer.json files, see src/core/tokenizer/models.ts), used when
 * `--model` names a model whose tokenizer is public.
 */
export const MODEL_TOKENIZER_NAMES = ['qwen3', 'deepseek-v3', 'llama3', 'gemma3'] as const;
export type ModelTokenizerName = (typeof MODEL_TOKENIZER_NAMES)[number];

/** Any encoding the core can count with: a tiktoken encoding or a model's own tokenizer. */
export type EncodingName = BpeEncodingName | ModelTokenizerName;

export function isProviderId(s: string): s is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(s);
}

/** True for the tiktoken encodings (the user-selectable `promptCache.encoding` values). */
export function isEncodingName(s: string): s is BpeEncodingName {
  return (ENCODING_NAMES as readonly string[]).includes(s);
}

export function isModelTokenizerName(s: string): s is ModelTokenizerName {
  return (MODEL_TOKENIZER_NAMES as readonly string[]).includes(s);
}
