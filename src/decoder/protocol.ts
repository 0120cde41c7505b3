// Messages between DecoderClient (index.ts) and the decoder worker (worker.ts).
import type { DecoderErrorCode, KvDrift, KvDriftRequest, MeasureProgress, MeasureRequest, Measurement } from './types';

export type WorkerRequest =
  | { type: 'measure'; id: number; req: MeasureRequest }
  | { type: 'kvDrift'; id: number; req: KvDriftRequest }
  | { type: 'confirmReply'; id: number; ok: boolean }
  | { type: 'cancel'; id: number }
  | { type: 'dispose' };

export type WorkerReply =
  | { type: 'progress'; id: number; progress: MeasureProgress }
  | { type: 'confirm'; id: number; bytes: number }
  | { type: 'result'; id: number; result: Measurement | KvDrift }
  | { type: 'error'; id: number; code: DecoderErrorCode; message: string };
