// The closed lists the whole product shares: provider ids and encoding names. Kept apart from the data and code
// they key (providers.ts, encodings.ts) so that cheap callers (the extension's settings reader at activation, the
// manifest test) read them without loading rule tables or rank files.
export const PROVIDER_IDS = ['anthropic', 'openai', 'gemini', 'deepseek', 'vllm', 'sglang', 'llamacpp'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const ENCODING_NAMES = ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'] as const;
export type EncodingName = (typeof ENCODING_NAMES)[number];

export function isProviderId(s: string): s is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(s);
}

export function isEncodingName(s: string): s is EncodingName {
  return (ENCODING_NAMES as readonly string[]).includes(s);
}
