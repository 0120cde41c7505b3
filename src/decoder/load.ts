// The decoder client (src/decoder/index.ts with its ONNX model writer) is a bundle of its own,
// dist/decoder-client.js, required at run time by the extension and the CLI on first use: their start-up neither
// parses nor runs it. Its path is computed so that esbuild leaves the require alone instead of inlining it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as DecoderModule from './index';

/** Bundle name of src/decoder/index.ts (scripts/build.mjs). */
export const DECODER_CLIENT_BUNDLE = 'decoder-client.js';

/** The decoder client bundle, next to the calling bundle (dist/), else ../../dist when running from source. */
export function loadDecoderModule(): typeof DecoderModule {
  const candidates = [path.join(__dirname, DECODER_CLIENT_BUNDLE), path.join(__dirname, '..', '..', 'dist', DECODER_CLIENT_BUNDLE)];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    // Same shape as the client's own errors (callers read `code` and `message`).
    throw Object.assign(new Error(`The decoder client script is missing (looked for ${candidates.join(', ')}); run \`npm run build\``), { name: 'DecoderError', code: 'INTERNAL' });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(found) as typeof DecoderModule;
}
