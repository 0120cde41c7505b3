// Loads src/core/lazyDeps.ts on first use: the dist/core-lazy.js bundle next to the calling bundle, or the source
// module when running from source (tsx). The module path is computed so that esbuild leaves the require alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as LazyDeps from './lazyDeps';

/** Bundle name of src/core/lazyDeps.ts (scripts/build.mjs). */
export const CORE_LAZY_BUNDLE = 'core-lazy.js';

let loaded: typeof LazyDeps | undefined;

export function lazyDeps(): typeof LazyDeps {
  if (!loaded) {
    const bundled = path.join(__dirname, CORE_LAZY_BUNDLE);
    const source = ['.', 'lazyDeps'].join('/');
    const inBundle = !fs.existsSync(path.join(__dirname, 'lazyDeps.ts'));
    if (inBundle && !fs.existsSync(bundled)) throw new Error(`The core's ${CORE_LAZY_BUNDLE} bundle is missing next to ${__dirname}; run \`npm run build\``);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = (inBundle ? require(bundled) : require(source)) as typeof LazyDeps;
  }
  return loaded;
}
