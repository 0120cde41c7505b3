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
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = (fs.existsSync(bundled) ? require(bundled) : require(source)) as typeof LazyDeps;
  }
  return loaded;
}
