// Flat config: typescript-eslint's recommended rules over all sources, plus the runtime boundaries the folders stand
// for (AGENTS.md): only src/extension may import `vscode`; only webview/ may use DOM globals; the core imports no
// adapter; the webview reaches the host's code only through src/view.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Browser-only globals: using one outside webview/ (or the e2e page callbacks) is a runtime mistake. */
const DOM_GLOBALS = [
  'window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'getComputedStyle', 'customElements',
  'requestAnimationFrame', 'cancelAnimationFrame', 'HTMLElement', 'HTMLCanvasElement', 'Element', 'Node', 'NodeList',
  'MutationObserver', 'ResizeObserver', 'IntersectionObserver', 'DOMParser', 'KeyboardEvent', 'MouseEvent', 'Event',
  'acquireVsCodeApi',
].map((name) => ({ name, message: `"${name}" exists only in the webview (webview/); this code runs in Node.` }));

const VSCODE = { name: 'vscode', message: 'Only src/extension/ may import the VS Code API (AGENTS.md: folders are runtimes).' };
const ORT = { name: 'onnxruntime-node', message: 'The native runtime is loaded only by src/decoder/.' };
const NODE_BUILTINS = { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'], message: 'The webview and src/view run in a browser too: no Node built-ins.' };
const folder = (name, why) => ({ group: [`**/${name}/*`, `**/${name}`], message: why });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [VSCODE] }],
      'no-restricted-globals': ['error', ...DOM_GLOBALS],
    },
  },
  {
    // The editor adapters: the one place that talks to VS Code.
    files: ['src/extension/**/*.ts', 'test/unit/fixtures/vscode-stub.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [ORT] }] },
  },
  {
    // The core stays pure: no editor API, no native runtime, no adapter.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [VSCODE, ORT],
        patterns: ['auditWorker', 'extension', 'view', 'decoder', 'cli'].map((f) => folder(f, `src/core is pure: it may not import src/${f}.`)),
      }],
    },
  },
  {
    // The audit worker computes with the core; it knows nothing of the editor, the panel or the decoder.
    files: ['src/auditWorker/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [VSCODE, ORT],
        patterns: ['extension', 'view', 'decoder', 'cli'].map((f) => folder(f, `The audit worker may not import src/${f}.`)),
      }],
    },
  },
  {
    // Shared by the host and the webview: pure, browser-safe.
    files: ['src/view/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [VSCODE, ORT],
        patterns: [NODE_BUILTINS, ...['extension', 'auditWorker', 'decoder', 'cli'].map((f) => folder(f, `src/view may not import src/${f}.`))],
      }],
    },
  },
  {
    // The panel's UI: DOM allowed; the host's code only through src/view.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-globals': 'off',
      'no-restricted-imports': ['error', {
        paths: [VSCODE, ORT],
        patterns: [NODE_BUILTINS, ...['core', 'extension', 'auditWorker', 'decoder', 'cli'].map((f) => folder(`src/${f}`, `The webview reaches the host's code only through src/view (not src/${f}).`))],
      }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // page.evaluate() callbacks in the e2e tests run in the browser.
    files: ['test/e2e/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
