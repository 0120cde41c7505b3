// The core's large dependencies that only some work needs: ajv (validating a user's rules file) and the Hugging Face
// tokenizer runtime (model tokenizers). The price data has a bundle of its own (src/core/providers/priceDeps.ts).
// Built as a bundle of its own (dist/core-lazy.js, scripts/build.mjs) and required on first use through
// src/core/lazy.ts, so the extension, worker and CLI bundles neither parse nor run them at start-up.
export { default as Ajv } from 'ajv';
export { HfEncoder } from './tokenizer/hf';
export { default as rulesSchema } from './providers/rules.schema.json';
