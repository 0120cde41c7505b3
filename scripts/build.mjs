// Bundles every entry point with esbuild. Type checking is separate (`npm run typecheck`).
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { generate as generateRuleDocs } from './gen-rules-docs.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// Node-side bundles: CommonJS (VS Code's extension host loads CJS). Native and editor modules stay external.
// The decoder client (with its ONNX model writer, about two thirds of what extension.js used to hold) is a bundle
// of its own, which src/extension/decoderService.ts requires on first use: activation does not parse it.
const nodeEntries = [
  { in: 'src/extension/extension.ts', out: 'extension' },
  { in: 'src/auditWorker/main.ts', out: 'audit-worker' },
  { in: 'src/auditWorker/sessionWorker.ts', out: 'session-worker' },
  { in: 'src/decoder/index.ts', out: 'decoder-client' },
  // ajv and the Hugging Face tokenizer runtime; the price data: required on first use (src/core/lazy.ts).
  { in: 'src/core/lazyDeps.ts', out: 'core-lazy' },
  { in: 'src/core/providers/priceDeps.ts', out: 'core-prices' },
  // The template engines and POML's XML parser: required when a file is rendered (src/core/lazy.ts).
  { in: 'src/core/formats/engineDeps.ts', out: 'core-engines' },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/decoder/worker.ts', out: 'decoder-worker' },
  { in: 'bench/decoder.ts', out: 'bench-decoder' },
  { in: 'bench/tokenizer-api.ts', out: 'tokenizer' },
];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

// docs/rules.md (lint section) and media/rules.md come from the rule files.
await generateRuleDocs();

const contexts = [];
for (const e of nodeEntries) {
  if (!existsSync(e.in)) continue; // entry not written yet
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: [e.in],
      outfile: `dist/${e.out}.js`,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode', 'onnxruntime-node', 'tiktoken', 'gpt-tokenizer'],
      banner: e.banner ? { js: e.banner } : undefined,
    }),
  );
}
if (existsSync('webview/main.ts')) {
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: ['webview/main.ts'],
      outfile: 'dist/webview.js',
      platform: 'browser',
      target: 'es2022',
      format: 'esm',
    }),
  );
}

mkdirSync('dist', { recursive: true });
if (existsSync('src/decoder/data')) cpSync('src/decoder/data', 'dist/data', { recursive: true });

// Prebuilt BPE rank tables (dist/ranks/<encoding>.bin), read by the bundles at start-up in a few ms; js-tiktoken's
// rank modules (1-2 MB each) stay out of the bundles. Built by bundling the table builder and running it here.
if (existsSync('src/core/tokenizer/buildRankTables.ts')) {
  // The builder is written inside dist/ so that it resolves js-tiktoken from this project's node_modules.
  const builder = path.resolve('dist/.build-rank-tables.cjs');
  await esbuild.build({
    entryPoints: ['src/core/tokenizer/buildRankTables.ts'],
    outfile: builder,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  try {
    createRequire(import.meta.url)(builder).writeRankTables(path.resolve('dist'));
  } finally {
    rmSync(builder, { force: true });
  }
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
