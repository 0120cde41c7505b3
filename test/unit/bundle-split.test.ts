// The decoder client (src/decoder/index.ts with its ONNX model writer) is a bundle of its own, dist/decoder-client.js,
// which src/extension/decoderService.ts requires on first use: dist/extension.js, parsed at every activation, must
// not carry it. Uses the bundles `npm test` builds first.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { requireWithStub, vscodeStub } from './fixtures/vscode-stub';

type DecoderServiceModule = typeof import('../../src/extension/decoderService');
type DecoderModule = typeof import('../../src/decoder/index');

const dist = path.resolve(__dirname, '..', '..', 'dist');
const extensionBundle = path.join(dist, 'extension.js');
const clientBundle = path.join(dist, 'decoder-client.js');
const built = fs.existsSync(extensionBundle) && fs.existsSync(clientBundle) && fs.existsSync(path.join(dist, 'decoder-worker.js'));
// An unbuilt checkout fails this file (never a silent skip): `npm test` builds first.
if (!built) throw new Error('dist/ is not built: run `npm run build` (npm test builds first)');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-bundle-split-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A CancellationToken that behaves like VS Code's (a listener added after cancel() is called at once). */
function cancellation() {
  const listeners: (() => void)[] = [];
  const token = {
    isCancellationRequested: false,
    onCancellationRequested: (l: () => void) => {
      if (token.isCancellationRequested) {
        setTimeout(l, 0);
        return { dispose() {} };
      }
      listeners.push(l);
      return { dispose: () => void listeners.splice(listeners.indexOf(l) >>> 0, 1) };
    },
  };
  return {
    token,
    cancel() {
      token.isCancellationRequested = true;
      for (const l of listeners.splice(0)) l();
    },
  };
}

describe('decoder client bundle', () => {
  test('dist/extension.js leaves the decoder client and the ONNX writer out and names the client bundle', () => {
    const text = fs.readFileSync(extensionBundle, 'utf8');
    // Strings survive minification: one from src/decoder/index.ts, one from onnx-proto's generated code.
    for (const marker of ['The decoder worker exited unexpectedly', 'onnx.ModelProto']) {
      assert.ok(!text.includes(marker), `dist/extension.js contains "${marker}"`);
      assert.ok(fs.readFileSync(clientBundle, 'utf8').includes(marker), `dist/decoder-client.js lacks "${marker}"`);
    }
    assert.ok(text.includes('decoder-client.js'), 'dist/extension.js does not name its decoder client bundle');
  });

  test('DecoderService requires the bundle on first use only, and passes on the client errors and cancellation', async () => {
    const vs = vscodeStub() as unknown as { workspace: { fs: Record<string, unknown> }; Uri: { file(p: string): unknown } };
    // The shared stand-in has no createDirectory; DecoderService creates its model folder with it.
    vs.workspace.fs.createDirectory ??= async (u: { fsPath: string }) => void fs.mkdirSync(u.fsPath, { recursive: true });
    const { DecoderService } = requireWithStub<DecoderServiceModule>('../../src/extension/decoderService');
    const log = { appendLine() {} };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const service = new DecoderService(vs.Uri.file(path.resolve(__dirname, '..', '..')) as any, vs.Uri.file(path.join(tmp, 'models')) as any, log as any);
    assert.equal(require.cache[clientBundle], undefined, 'the decoder client was loaded before first use');
    try {
      const input = { ids: Uint32Array.from({ length: 64 }, (_, i) => i), reusablePrefix: 32, preset: 'tiny' as const, tokenCap: 2048 };

      // A model path that does not exist: the client's own error, unchanged.
      const missing = path.join(tmp, 'no-such-model');
      await assert.rejects(service.measure({ ...input, modelPath: missing }, cancellation().token as never, () => {}), (e: unknown) => {
        const err = e as { code?: string; message?: string };
        assert.equal(err.code, 'MODEL_NOT_FOUND', String(err.message));
        assert.ok(err.message?.includes(missing), err.message);
        return true;
      });
      assert.ok(require.cache[clientBundle], 'the client did not come from dist/decoder-client.js');

      // Cancelled from the editor's token: CANCELLED, as before the split.
      const c = cancellation();
      const run = service.measure({ ...input, modelPath: '' }, c.token as never, () => c.cancel());
      setTimeout(() => c.cancel(), 50); // in case the worker reports no progress before it finishes
      await assert.rejects(run, (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'CANCELLED', String(e));
        return true;
      });
    } finally {
      // Awaited: a cancelled generation may still be writing into tmp until the worker has exited.
      await service.dispose();
    }
  });

  test('dist/decoder-client.js loads on its own and finds the worker next to it', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(clientBundle) as DecoderModule;
    assert.equal(typeof mod.DecoderClient, 'function');
    assert.equal(typeof mod.DecoderError, 'function');
    assert.equal(mod.resolveWorkerPath(), path.join(dist, 'decoder-worker.js'));
    assert.ok(mod.isPresetName('tiny'));
  });
});
