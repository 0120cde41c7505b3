// Builds one VSIX per platform that onnxruntime-node ships CPU binaries for. Each package carries only
// its own platform's native files: a folder is staged per target (out/stage-<target>/) with the
// manifest, the production bundles, media, docs, and node_modules/onnxruntime-{node,common} trimmed to
// what runs; vsce packs that folder.
//
// Usage: node scripts/package.mjs [--target <t>[,<t>...]] [--skip-build] [--out <dir>]
//   npm run package                        all targets
//   npm run package -- --target linux-x64  one target (the e2e tests use this)
import { spawnSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// vsce target -> onnxruntime-node's bin/napi-v6/<os>/<arch>. No darwin-x64 or musl builds upstream.
const TARGETS = {
  'linux-x64': ['linux', 'x64'],
  'linux-arm64': ['linux', 'arm64'],
  'darwin-arm64': ['darwin', 'arm64'],
  'win32-x64': ['win32', 'x64'],
  'win32-arm64': ['win32', 'arm64'],
};
// Modules the bundles load at run time instead of inlining (see scripts/build.mjs `external`).
const SHIPPED_MODULES = ['onnxruntime-node', 'onnxruntime-common'];
// Required only inside a try/catch for a feature the extension never turns on, so not shipping them is safe:
// nunjucks loads chokidar only for its template-watch mode (`watch: true`), which src/core/formats never sets.
const OPTIONAL_REQUIRES = ['chokidar'];
// Files in dist/ that are not part of the extension: the CLI (npm `bin`), benchmark bundles (bench/ entries
// in scripts/build.mjs), source maps, build leftovers. Everything else ships, including bundles the extension
// loads on demand (dist/decoder-client.js, the workers); checkBundleReferences() fails the package otherwise.
const DEV_ONLY_DIST = new Set(['cli.js', ...devBundlesFromBuildScript()]);
const isDevOnlyDistFile = (name) => DEV_ONLY_DIST.has(name) || /\.map$/.test(name) || /^bench/.test(name) || name.startsWith('.');
// Top-level files the extension (or its README/CHANGELOG views) reads at run time.
const TOP_LEVEL_FILES = ['README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore'];
const RUNTIME_DIRS = ['media'];

/** Output names of scripts/build.mjs entries that come from bench/ or src/cli/. */
function devBundlesFromBuildScript() {
  const text = readFileSync(path.join(root, 'scripts', 'build.mjs'), 'utf8');
  const names = [];
  for (const m of text.matchAll(/\bin:\s*'([^']+)',\s*out:\s*'([^']+)'/g)) {
    if (/^(bench|src\/cli)\//.test(m[1])) names.push(`${m[2]}.js`);
  }
  return names;
}

function parseArgs(argv) {
  const opts = { targets: Object.keys(TARGETS), build: true, out: path.join(root, 'out') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--target' || a.startsWith('--target=')) opts.targets = value().split(',').filter(Boolean);
    else if (a === '--skip-build') opts.build = false;
    else if (a === '--out' || a.startsWith('--out=')) opts.out = path.resolve(value());
    else if (a === '--help' || a === '-h') {
      console.log('node scripts/package.mjs [--target <t>[,<t>...]] [--skip-build] [--out <dir>]');
      console.log(`targets: ${Object.keys(TARGETS).join(', ')}`);
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  for (const t of opts.targets) {
    if (!TARGETS[t]) fail(`unsupported target ${t}; onnxruntime-node ships: ${Object.keys(TARGETS).join(', ')}`);
  }
  return opts;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

function dirSize(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((sum, e) => sum + dirSize(path.join(p, e)), 0);
}

/** Bare module names a bundle requires (static `require("x")` only). */
function requiredModules(file) {
  const text = readFileSync(file, 'utf8');
  const names = new Set();
  for (const m of text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)) {
    const spec = m[1];
    if (spec.startsWith('.') || spec.startsWith('/')) continue;
    // A require inside a string literal is generated code, not a load (ajv's standalone-code templates).
    if (/['"`]$/.test(text.slice(Math.max(0, m.index - 1), m.index))) continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    names.add(name);
  }
  return names;
}

/** The manifest as shipped: no scripts (no vscode:prepublish rerun), no dev tooling, and only the
 * dependencies that are not bundled, so `npm list` in the stage sees a complete tree. */
function stageManifest(manifest) {
  const staged = { ...manifest };
  delete staged.scripts;
  delete staged.devDependencies;
  staged.dependencies = {};
  for (const name of SHIPPED_MODULES.slice(0, 1)) staged.dependencies[name] = readJson(moduleJson(name)).version;
  return staged;
}

function moduleDir(name) {
  return path.join(root, 'node_modules', name);
}
function moduleJson(name) {
  return path.join(moduleDir(name), 'package.json');
}

function stageOnnxRuntime(stage, os, arch) {
  const ortSrc = moduleDir('onnxruntime-node');
  const ortDst = path.join(stage, 'node_modules', 'onnxruntime-node');
  const commonSrc = moduleDir('onnxruntime-common');
  const commonDst = path.join(stage, 'node_modules', 'onnxruntime-common');

  // onnxruntime-node: its JS and this platform's binaries. Its manifest keeps only the runtime
  // dependency (the others, adm-zip and global-agent, serve its CUDA download script) and no scripts.
  const ortJson = readJson(path.join(ortSrc, 'package.json'));
  delete ortJson.scripts;
  delete ortJson.devDependencies;
  ortJson.dependencies = { 'onnxruntime-common': ortJson.dependencies['onnxruntime-common'] };
  mkdirSync(ortDst, { recursive: true });
  writeFileSync(path.join(ortDst, 'package.json'), JSON.stringify(ortJson, null, 2) + '\n');
  cpSync(path.join(ortSrc, 'dist'), path.join(ortDst, 'dist'), {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || src.endsWith('.js'),
  });
  const binSrc = path.join(ortSrc, 'bin', 'napi-v6', os, arch);
  if (!existsSync(path.join(binSrc, 'onnxruntime_binding.node'))) {
    fail(`no onnxruntime-node binding for ${os}/${arch} in ${binSrc}`);
  }
  const binDst = path.join(ortDst, 'bin', 'napi-v6', os, arch);
  mkdirSync(binDst, { recursive: true });
  const binFiles = readdirSync(binSrc);
  for (const f of binFiles) {
    // macOS: the binding links @rpath/libonnxruntime.1.dylib; the fully versioned name is a second
    // copy of the same library (44 MB), not a symlink, in the npm package.
    if (os === 'darwin' && /^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/.test(f) && binFiles.includes('libonnxruntime.1.dylib')) {
      continue;
    }
    copyFileSync(path.join(binSrc, f), path.join(binDst, f));
  }
  for (const lic of ['LICENSE', 'ThirdPartyNotices.txt']) {
    if (existsSync(path.join(ortSrc, lic))) copyFileSync(path.join(ortSrc, lic), path.join(ortDst, lic));
  }

  // onnxruntime-common: its CommonJS build (onnxruntime-node requires it).
  const commonJson = readJson(path.join(commonSrc, 'package.json'));
  delete commonJson.scripts;
  delete commonJson.devDependencies;
  mkdirSync(commonDst, { recursive: true });
  writeFileSync(path.join(commonDst, 'package.json'), JSON.stringify(commonJson, null, 2) + '\n');
  cpSync(path.join(commonSrc, 'dist', 'cjs'), path.join(commonDst, 'dist', 'cjs'), {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || src.endsWith('.js') || src.endsWith('package.json'),
  });
  if (existsSync(path.join(commonSrc, 'LICENSE'))) copyFileSync(path.join(commonSrc, 'LICENSE'), path.join(commonDst, 'LICENSE'));
}

function stageTarget(target, manifest, outDir) {
  const [os, arch] = TARGETS[target];
  const stage = path.join(outDir, `stage-${target}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });

  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(stageManifest(manifest), null, 2) + '\n');
  for (const f of TOP_LEVEL_FILES) {
    if (existsSync(path.join(root, f))) copyFileSync(path.join(root, f), path.join(stage, f));
  }
  for (const d of RUNTIME_DIRS) {
    if (existsSync(path.join(root, d))) cpSync(path.join(root, d), path.join(stage, d), { recursive: true });
  }
  // Images the README shows (VS Code renders the README from the installed extension's folder).
  const readme = existsSync(path.join(root, 'README.md')) ? readFileSync(path.join(root, 'README.md'), 'utf8') : '';
  for (const m of new Set(readme.match(/docs\/images\/[\w.-]+\.(?:png|gif|jpe?g|svg)/g) ?? [])) {
    if (!existsSync(path.join(root, m))) continue;
    mkdirSync(path.dirname(path.join(stage, m)), { recursive: true });
    copyFileSync(path.join(root, m), path.join(stage, m));
  }
  cpSync(path.join(root, 'dist'), path.join(stage, 'dist'), {
    recursive: true,
    filter: (src) => !isDevOnlyDistFile(path.basename(src)),
  });
  const main = path.join(stage, manifest.main ?? 'dist/extension.js');
  if (!existsSync(main)) {
    // The extension's sources have not landed yet: ship a no-op entry point so the pipeline is proven.
    console.warn(`package: WARNING ${path.relative(stage, main)} was not built; staging a placeholder that does nothing`);
    writeFileSync(main, "'use strict';\nexports.activate = () => {};\nexports.deactivate = () => {};\n");
  }
  stageOnnxRuntime(stage, os, arch);
  return stage;
}

/** Every bare module a shipped bundle requires must be a Node builtin, `vscode`, or shipped. */
function checkRequires(stage) {
  const allowed = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'vscode', ...SHIPPED_MODULES, ...OPTIONAL_REQUIRES]);
  const problems = [];
  const distDir = path.join(stage, 'dist');
  for (const f of readdirSync(distDir)) {
    if (!f.endsWith('.js')) continue;
    for (const name of requiredModules(path.join(distDir, f))) {
      if (!allowed.has(name) && !name.startsWith('node:')) problems.push(`dist/${f} requires '${name}', which the VSIX does not ship`);
    }
  }
  return problems;
}

/** Every bundle a shipped bundle loads by name at run time (workers, the decoder client that
 * src/extension/decoderService.ts requires on first use, the webview script) must be staged too. */
function checkBundleReferences(stage) {
  const problems = [];
  const distDir = path.join(stage, 'dist');
  for (const f of readdirSync(distDir)) {
    if (!f.endsWith('.js')) continue;
    const text = readFileSync(path.join(distDir, f), 'utf8');
    for (const m of new Set([...text.matchAll(/["'`]([\w.-]+\.js)["'`]/g)].map((x) => x[1]))) {
      if (existsSync(path.join(root, 'dist', m)) && !existsSync(path.join(distDir, m))) problems.push(`dist/${f} loads dist/${m}, which is not staged`);
    }
  }
  return problems;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  if (opts.build) {
    console.log('package: node scripts/build.mjs --production');
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) fail(`production build failed (exit ${r.status})`);
    console.log(`package: build took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  if (!existsSync(path.join(root, 'dist'))) fail('dist/ is missing: run the build');

  const manifest = readJson(path.join(root, 'package.json'));
  const vsce = require('@vscode/vsce');
  const vsceOptions = {};
  if (!manifest.repository) {
    // vsce would stop and ask; relative links in the README then stay relative, which VS Code resolves
    // against the installed extension (docs/images/ ships in the package).
    console.warn("package: WARNING package.json has no 'repository'; packaging with allowMissingRepository and relative README links");
    vsceOptions.allowMissingRepository = true;
    vsceOptions.rewriteRelativeLinks = false;
  }
  if (manifest.icon && !existsSync(path.join(root, manifest.icon))) {
    // vsce refuses a missing icon; package without one (and say so) rather than not at all.
    console.warn(`package: WARNING icon ${manifest.icon} does not exist; packaging without an icon`);
    delete manifest.icon;
  }

  mkdirSync(opts.out, { recursive: true });
  const results = [];
  for (const target of opts.targets) {
    const t = performance.now();
    const stage = stageTarget(target, manifest, opts.out);
    const problems = [...checkRequires(stage), ...checkBundleReferences(stage)];
    if (problems.length) fail(`${target}:\n  ${problems.join('\n  ')}`);
    const packagePath = path.join(opts.out, `${manifest.name}-${target}-${manifest.version}.vsix`);
    rmSync(packagePath, { force: true });
    await vsce.createVSIX({ cwd: stage, packagePath, target, ...vsceOptions });
    const files = (await vsce.listFiles({ cwd: stage, packageManager: vsce.PackageManager.Npm })).map((p) => ({ path: p }));
    // Guard: nothing from another platform, nothing from the dev tree.
    const stray = files
      .map((f) => f.path)
      .filter((p) => {
        const m = /node_modules\/onnxruntime-node\/bin\/napi-v6\/([^/]+)\/([^/]+)\//.exec(p);
        return (m && `${m[1]}-${m[2]}` !== TARGETS[target].join('-')) || /(^|\/)(src|test|bench|examples)\//.test(p.replace(/^extension\//, ''));
      });
    if (stray.length) fail(`${target}: unexpected files in the VSIX:\n  ${stray.join('\n  ')}`);
    const size = statSync(packagePath).size;
    results.push({ target, packagePath, files: files.length, size, staged: dirSize(stage), seconds: (performance.now() - t) / 1000 });
  }

  console.log('');
  for (const r of results) {
    console.log(
      `${r.target.padEnd(13)} ${mb(r.size).padStart(9)}  (${r.files} files, ${mb(r.staged)} unpacked, ${r.seconds.toFixed(1)} s)  ${path.relative(root, r.packagePath)}`,
    );
  }
  console.log(`package: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err) => fail(err?.stack ?? String(err)));
