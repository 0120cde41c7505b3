// The price data (@pydantic/genai-prices, ~0.8 MB of JavaScript, ~20 ms to load): a bundle of its own
// (dist/core-prices.js, scripts/build.mjs), required on first use through src/core/lazy.ts. Every first audit needs
// it, so it does not share a bundle with what few need (ajv, the model tokenizers).
export * as genaiPrices from '@pydantic/genai-prices';
