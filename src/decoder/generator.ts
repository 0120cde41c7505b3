// Writes a generated decoder (model.onnx + model.onnx.data) into a cache folder once, atomically, and reuses it
// until the generator version changes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { buildDecoderGraph, DEFAULT_VARIANT, variantKey, type GraphVariant, type WeightSpec } from './graph';
import { GENERATOR_VERSION, PRESETS, parameterCount, type DecoderShape, type PresetName } from './presets';

export const LARGE_WRITE_BYTES = 100 * 1024 * 1024;
const DATA_FILE = 'model.onnx.data';
/** Offsets aligned to 4 KiB let ORT memory-map external weights. */
const ALIGN = 4096;

export interface GenerateOptions {
  preset: PresetName;
  /** The extension's global storage or the CLI's per-user cache dir (see defaultCacheDir). */
  cacheDir: string;
  variant?: Partial<GraphVariant>;
  seed?: number;
  /** Asked before writing more than 100 MB; resolve false to cancel (the call then rejects with ModelWriteDeclined). */
  onConfirmLargeWrite?: (bytes: number) => boolean | Promise<boolean>;
  /** Test hook: pretend to be another generator version. */
  generatorVersion?: number;
}

export interface GeneratedModel {
  modelPath: string;
  dataPath: string;
  preset: PresetName;
  shape: DecoderShape;
  variant: GraphVariant;
  parameters: number;
  bytes: number;
  /** false when an existing, current model was reused. */
  written: boolean;
}

export class ModelWriteDeclined extends Error {
  constructor(readonly bytes: number) {
    super(`Writing the ${(bytes / 1e6).toFixed(0)} MB model was declined`);
    this.name = 'ModelWriteDeclined';
  }
}

/** Per-user cache folder for the CLI: $XDG_CACHE_HOME/prompt-cache-auditor, else ~/.cache/… (LOCALAPPDATA on Windows). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'prompt-cache-auditor');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'prompt-cache-auditor', 'cache');
  return path.join(os.homedir(), '.cache', 'prompt-cache-auditor');
}

function metadataFor(preset: PresetName, shape: DecoderShape, variant: GraphVariant, seed: number, version: number): Record<string, string> {
  return {
    generator: 'prompt-cache-auditor',
    generator_version: String(version),
    preset,
    shape: JSON.stringify(shape),
    variant: JSON.stringify(variant),
    seed: String(seed),
    weights: 'random (uniform, std 0.02), seeded by weight index',
  };
}

/** Layout of the data file: each weight's aligned offset and byte length. */
function layout(weights: WeightSpec[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let off = 0;
  for (const w of weights) {
    off = Math.ceil(off / ALIGN) * ALIGN;
    offsets.push(off);
    off += 4 * w.dims.reduce((a, b) => a * b, 1);
  }
  return { offsets, total: off };
}

/** Expected on-disk size of a preset's data file (model.onnx is a few KB): 4 bytes per parameter plus alignment. */
export function expectedModelBytes(preset: PresetName, variant: Partial<GraphVariant> = {}): number {
  const v = { ...DEFAULT_VARIANT, ...variant };
  const built = buildDecoderGraph(PRESETS[preset], v, {});
  return layout(built.weights).total;
}

/** Reads the metadata of an existing model.onnx (small: the weights live in the data file). Null if unreadable. */
export function readModelMetadata(modelPath: string): Record<string, string> | null {
  try {
    const bytes = fs.readFileSync(modelPath);
    const model = onnx.ModelProto.decode(bytes);
    const out: Record<string, string> = {};
    for (const p of model.metadataProps ?? []) out[p.key ?? ''] = p.value ?? '';
    return out;
  } catch {
    return null;
  }
}

/** Returns the cached model for a preset, writing it first if missing, stale or incomplete. */
export async function ensureModel(opts: GenerateOptions): Promise<GeneratedModel> {
  const shape = PRESETS[opts.preset];
  const variant: GraphVariant = { ...DEFAULT_VARIANT, ...opts.variant };
  const seed = opts.seed ?? 1;
  const version = opts.generatorVersion ?? GENERATOR_VERSION;
  const dir = path.join(opts.cacheDir, 'models', `${opts.preset}-${variantKey(variant)}${seed === 1 ? '' : `-seed${seed}`}`);
  const modelPath = path.join(dir, 'model.onnx');
  const dataPath = path.join(dir, DATA_FILE);
  const meta = metadataFor(opts.preset, shape, variant, seed, version);
  const built = buildDecoderGraph(shape, variant, meta);
  const { offsets, total } = layout(built.weights);
  const result: GeneratedModel = {
    modelPath, dataPath, preset: opts.preset, shape, variant, parameters: parameterCount(shape), bytes: total, written: false,
  };

  const existing = readModelMetadata(modelPath);
  const current =
    existing !== null &&
    existing.generator_version === meta.generator_version &&
    existing.shape === meta.shape &&
    existing.variant === meta.variant &&
    existing.seed === meta.seed &&
    fileSize(dataPath) === total; // a truncated data file (interrupted copy, full disk) means regenerate
  if (current) return result;

  if (total > LARGE_WRITE_BYTES) {
    const ok = opts.onConfirmLargeWrite ? await opts.onConfirmLargeWrite(total) : true;
    if (!ok) throw new ModelWriteDeclined(total);
  }
  fs.mkdirSync(dir, { recursive: true });
  removeStaleTemporaries(dir);
  // Whatever else sits at the final paths (a folder, a dangling link) is ours to replace: this is a cache folder.
  for (const target of [dataPath, modelPath]) {
    const st = fs.lstatSync(target, { throwIfNoEntry: false });
    if (st && !st.isFile()) fs.rmSync(target, { recursive: true, force: true });
  }
  const tag = `.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmpData = dataPath + tag;
  const tmpModel = modelPath + tag;
  try {
    writeWeights(tmpData, built.weights, offsets, total, seed);
    built.externalInits.forEach((init, k) => {
      init.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      init.externalData = [
        { key: 'location', value: DATA_FILE },
        { key: 'offset', value: String(offsets[k]) },
        { key: 'length', value: String(4 * built.weights[k].dims.reduce((a, b) => a * b, 1)) },
      ];
    });
    fs.writeFileSync(tmpModel, onnx.ModelProto.encode(built.model).finish());
    // Data first, model last: model.onnx with the current version is the "complete" marker.
    fs.renameSync(tmpData, dataPath);
    fs.renameSync(tmpModel, modelPath);
  } catch (e) {
    for (const f of [tmpData, tmpModel]) fs.rmSync(f, { force: true });
    throw e;
  }
  result.written = true;
  return result;
}

/**
 * A process killed while writing leaves `<name>.tmp-<pid>-<rand>` behind (up to 500 MB). Removes those whose writer is
 * gone, or that are over an hour old (a pid can be reused).
 */
function removeStaleTemporaries(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /\.tmp-(\d+)-[a-z0-9]+$/.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    const pid = Number(m[1]);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    const old = st !== undefined && Date.now() - st.mtimeMs > 3600_000;
    if (pid !== process.pid && (old || !processAlive(pid))) fs.rmSync(file, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return -1;
  }
}

/** Streams the weights tensor by tensor so a 500 MB model never needs a second full copy in memory. */
function writeWeights(file: string, weights: WeightSpec[], offsets: number[], total: number, seed: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    weights.forEach((w, k) => {
      const n = w.dims.reduce((a, b) => a * b, 1);
      const values = new Float32Array(n);
      fillWeight(values, w, seed);
      let pos = offsets[k];
      const bytes = new Uint8Array(values.buffer);
      let done = 0;
      while (done < bytes.length) {
        const wrote = fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 24), pos);
        done += wrote;
        pos += wrote;
      }
    });
    fs.ftruncateSync(fd, total);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The values of one weight: seeded uniform noise, or a constant (RMSNorm scales are 1). */
export function fillWeight(out: Float32Array, w: WeightSpec, seed: number): void {
  if ('random' in w.kind) fillUniform(out, w.kind.random, seed, w.index);
  else out.fill(w.kind.constant);
}

/**
 * Uniform values with the given standard deviation from a PRNG seeded by (seed, weight index): the same weight gets
 * the same bytes in every variant and on every machine (integer arithmetic only until the final scaling).
 */
export function fillUniform(out: Float32Array, std: number, seed: number, index: number): void {
  let state = mix32((seed * 0x9e3779b1) ^ mix32(index + 0x7f4a7c15)) >>> 0;
  const range = std * Math.sqrt(3); // uniform on [−r, r] has std r/√3
  for (let i = 0; i < out.length; i++) {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (2 * u - 1) * range;
  }
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
