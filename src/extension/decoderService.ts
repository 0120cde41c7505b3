// Local recompute timing and KV drift through the decoder's client (onnxruntime in its own worker thread). The
// client is its own bundle (dist/decoder-client.js, with the ONNX model writer), required on first use only:
// activation neither parses nor runs it.
import * as vscode from 'vscode';
import { loadDecoderModule } from '../decoder/load';
import type { DecoderClient, KvDrift, Measurement, MeasureProgress } from '../decoder/index';
import type { PresetName } from '../decoder/presets';
import type { KvDriftView, TimingView } from '../view/protocol';
import { PRESET_NAMES } from '../decoder/presets';
import { formatCount, largeModelDetail } from '../view/format';

export interface DecoderInput {
  ids: Uint32Array;
  reusablePrefix: number;
  preset: PresetName;
  modelPath: string;
  tokenCap: number;
}

export class DecoderService implements vscode.Disposable {
  private client: DecoderClient | undefined;
  /** The preset of the request being run: the large-model dialog suggests only smaller ones. */
  private preset: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly cacheDir: vscode.Uri,
    private readonly log: vscode.OutputChannel,
  ) {}

  private async getClient(): Promise<DecoderClient> {
    if (this.client) return this.client;
    const mod = loadDecoderModule();
    this.client = new mod.DecoderClient({
      workerPath: vscode.Uri.joinPath(this.extensionUri, 'dist', 'decoder-worker.js').fsPath,
      onConfirmLargeWrite: async (bytes) => {
        const go = 'Generate';
        const pick = await vscode.window.showWarningMessage(
          `Measuring needs a generated local model of ${(bytes / 1e6).toFixed(0)} MB (shaped like a public model, random weights, written once to the extension's storage). Generate it?`,
          { modal: true, detail: largeModelDetail(this.preset, PRESET_NAMES) },
          go,
        );
        return pick === go;
      },
    });
    return this.client;
  }

  async measure(input: DecoderInput, token: vscode.CancellationToken, onProgress: (p: MeasureProgress) => void): Promise<Measurement> {
    this.preset = input.modelPath ? undefined : input.preset;
    const client = await this.getClient();
    await vscode.workspace.fs.createDirectory(this.cacheDir);
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      return await client.measure(
        {
          ids: input.ids,
          reusablePrefix: input.reusablePrefix,
          cacheDir: this.cacheDir.fsPath,
          tokenCap: input.tokenCap,
          ...(input.modelPath ? { modelPath: input.modelPath } : { preset: input.preset }),
        },
        ac.signal,
        onProgress,
      );
    } finally {
      sub.dispose();
    }
  }

  async kvDrift(oldIds: Uint32Array, newIds: Uint32Array, divergenceIndex: number, input: Omit<DecoderInput, 'ids' | 'reusablePrefix'>, token: vscode.CancellationToken, onProgress: (p: MeasureProgress) => void): Promise<KvDrift> {
    this.preset = input.modelPath ? undefined : input.preset;
    const client = await this.getClient();
    await vscode.workspace.fs.createDirectory(this.cacheDir);
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      return await client.kvDrift(
        {
          oldIds, newIds, divergenceIndex, cacheDir: this.cacheDir.fsPath, tokenCap: input.tokenCap,
          ...(input.modelPath ? { modelPath: input.modelPath } : { preset: input.preset }),
        },
        ac.signal,
        onProgress,
      );
    } finally {
      sub.dispose();
    }
  }

  /** Stops the decoder worker; resolves once it has exited (nothing it was writing is still being written). */
  dispose(): Promise<void> {
    const done = this.client?.dispose().catch((e) => this.log.appendLine(`decoder dispose: ${String(e)}`)) ?? Promise.resolve();
    this.client = undefined;
    return done;
  }
}

export function timingView(m: Measurement): TimingView {
  // Notes the view shows in its own fields are not repeated.
  const notes = m.notes.filter((n) => !n.startsWith('Measured under load'));
  if (m.scaledFrom) notes.push(`Measured on ${formatCount(m.tokens)} of ${formatCount(m.scaledFrom.tokens)} tokens (promptCache.decoder.tokenCap); the reusable fraction is kept.`);
  notes.push(`${m.model.name}: cold and warm runs interleaved, ${m.runs} each, ${m.threads} thread(s); median shown.`);
  const gpuRow = m.gpuEstimate.rows.find((r) => /8b/i.test(r.model)) ?? m.gpuEstimate.rows[0];
  const g = m.gpuEstimate;
  return {
    preset: m.model.name,
    promptTokens: m.scaledFrom?.tokens ?? m.tokens,
    reusedTokens: m.scaledFrom?.reusablePrefix ?? m.reusablePrefix,
    coldMs: m.cold.medianMs,
    warmMs: m.warm.medianMs,
    coldMinMs: m.cold.minMs,
    warmMinMs: m.warm.minMs,
    coldSpread: m.cold.spread,
    warmSpread: m.warm.spread,
    runs: m.runs,
    speedup: m.speedup,
    ...(m.expectedSpeedup !== undefined ? { expectedSpeedup: m.expectedSpeedup } : {}),
    ...(m.load.underLoad ? { underLoad: m.load.reason ?? 'other processes were running' } : {}),
    ...(m.model.shapedLike ? { shapedLike: `shape of ${m.model.shapedLike}` } : {}),
    gpu: gpuRow
      ? {
        label: `${gpuRow.model}${gpuRow.extrapolated ? ' (extrapolated)' : ''}`, coldMs: gpuRow.coldMs, warmMs: gpuRow.warmMs, source: g.source,
        method: g.model, regime: g.regime, verdict: g.verdict,
      }
      : undefined,
    notes,
  };
}

export function kvDriftView(d: KvDrift): KvDriftView {
  const layers = d.layers.length;
  const positions = d.positions;
  const values = new Float32Array(layers * positions);
  const edited = new Uint8Array(positions);
  for (let p = 0; p < positions; p++) edited[p] = d.aligned?.[p] === null ? 1 : 0;
  // Key and value drift move together (same attention inputs); show the larger of the two. Keys of moved tokens are
  // taken with the RoPE rotation of the shift undone (keyUnshifted): moving is not a change of content.
  d.layers.forEach((l, i) => {
    const key = l.keyUnshifted ?? l.key;
    for (let p = 0; p < positions; p++) {
      const v = Math.max(key[p] ?? 0, l.value[p] ?? 0);
      values[i * positions + p] = edited[p] || !Number.isFinite(v) ? 0 : v;
    }
  });
  return {
    layers, positions, values, editPosition: d.divergenceIndex, edited,
    shift: d.alignment?.shift ?? 0,
    commonSuffix: d.alignment?.commonSuffix ?? 0,
    ...(d.window?.truncated ? { window: { start: d.window.newStart, end: d.window.newEnd } } : {}),
    notes: d.notes,
  };
}
