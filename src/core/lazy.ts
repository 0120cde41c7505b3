// Loads the core's large, rarely needed dependencies on first use: each group is a bundle of its own next to the
// calling bundle (scripts/build.mjs), or the source module when running from source (tsx). Module paths are computed
// so that esbuild leaves these requires alone: the extension, worker and CLI bundles neither parse nor run them at
// start-up (the template engines alone cost the CLI ~90 ms of start-up and the audit worker ~50 ms when eager).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as LazyDeps from './lazyDeps';
import type * as EngineDeps from './formats/engineDeps';
import type * as PriceDeps from './providers/priceDeps';

/** Bundle name of src/core/lazyDeps.ts (scripts/build.mjs). */
export const CORE_LAZY_BUNDLE = 'core-lazy.js';
/** Bundle name of src/core/providers/priceDeps.ts (scripts/build.mjs). */
export const PRICES_LAZY_BUNDLE = 'core-prices.js';
/** Bundle name of src/core/formats/engineDeps.ts (scripts/build.mjs). */
export const ENGINES_LAZY_BUNDLE = 'core-engines.js';

/**
 * Every lazy bundle with its source entry. scripts/build.mjs builds these next to dist/'s bundles (a unit test checks
 * it lists them all); anything else that bundles the core (the lint bench, a test building the CLI) must put them
 * next to its own bundle, or templates are read statically and prices are missing.
 */
export const LAZY_BUNDLES: readonly { entry: string; bundle: string }[] = [
  { entry: 'src/core/lazyDeps.ts', bundle: CORE_LAZY_BUNDLE },
  { entry: 'src/core/providers/priceDeps.ts', bundle: PRICES_LAZY_BUNDLE },
  { entry: 'src/core/formats/engineDeps.ts', bundle: ENGINES_LAZY_BUNDLE },
];

const loaded = new Map<string, unknown>();

function load<T>(bundle: string, sourceParts: readonly string[]): T {
  let mod = loaded.get(bundle);
  if (!mod) {
    const bundled = path.join(__dirname, bundle);
    const source = ['.', ...sourceParts].join('/');
    const inBundle = !fs.existsSync(path.join(__dirname, 'lazy.ts'));
    if (inBundle && !fs.existsSync(bundled)) throw new Error(`The core's ${bundle} bundle is missing next to ${__dirname}; run \`npm run build\``);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = inBundle ? require(bundled) : require(source);
    loaded.set(bundle, mod);
  }
  return mod as T;
}

/** ajv and the Hugging Face tokenizer runtime. */
export function lazyDeps(): typeof LazyDeps {
  return load<typeof LazyDeps>(CORE_LAZY_BUNDLE, ['lazyDeps']);
}

/** The price data: the first estimate with a cost needs it. */
export function priceDeps(): typeof PriceDeps {
  return load<typeof PriceDeps>(PRICES_LAZY_BUNDLE, ['providers', 'priceDeps']);
}

/** The template engines and POML's XML parser: only files that are rendered need them. */
export function engineDeps(): typeof EngineDeps {
  return load<typeof EngineDeps>(ENGINES_LAZY_BUNDLE, ['formats', 'engineDeps']);
}
