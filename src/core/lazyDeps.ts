// The core's large dependencies that only some work needs: ajv (validating a user's rules file), the price data
// (@pydantic/genai-prices, ~0.5 MB, ~50 ms to load) and the Hugging Face tokenizer runtime (model tokenizers).
// Built as a bundle of its own (dist/core-lazy.js, scripts/build.mjs) and required on first use through
// src/core/lazy.ts, so the extension, worker and CLI bundles neither parse nor run them at start-up.
export { default as Ajv } from 'ajv';
export * as genaiPrices from '@pydantic/genai-prices';
export { HfEncoder } from './tokenizer/hf';
export { default as rulesSchema } from './providers/rules.schema.json';
