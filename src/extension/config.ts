// Reading `promptCache.*` settings. Untrusted workspaces get the user's (machine) values for restricted settings
// only: a workspace must not point the decoder at a model file of its choosing.
import * as vscode from 'vscode';
import type { EncodingName } from '../core/encodings';
import type { ProviderId } from '../core/types';
import type { AuditSettings } from './auditProtocol';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, type PromptFilePatterns } from './logic/globs';

export const SECTION = 'promptCache';
export const PROVIDERS: readonly ProviderId[] = ['anthropic', 'openai', 'gemini', 'deepseek', 'vllm', 'sglang', 'llamacpp'];
/**
 * The core's encoding names, repeated here so activation does not load the tokenizer module (the extension host
 * never tokenizes; the audit worker does). A unit test keeps the lists equal.
 */
export const ENCODINGS: readonly EncodingName[] = ['o200k_base', 'cl100k_base', 'p50k_base', 'r50k_base'];
const isEncodingName = (s: string): s is EncodingName => (ENCODINGS as readonly string[]).includes(s);
export type BaselineKind = 'gitHead' | 'lastSave';
export type DecoderPreset = 'tiny' | 'small' | 'gpt2-small';


export interface ExtensionSettings {
  audit: AuditSettings;
  baseline: BaselineKind;
  patterns: PromptFilePatterns;
  maxFileBytes: number;
  decoder: { preset: DecoderPreset; modelPath: string; tokenCap: number };
}

function stringArray(v: unknown, fallback: readonly string[]): readonly string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : fallback;
}

export function readSettings(scope?: vscode.ConfigurationScope): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const provider = c.get<string>('provider', 'anthropic');
  const encoding = c.get<string>('encoding', 'auto');
  const price = c.get<number | null>('pricePerMillionTokens', null);
  const baseline = c.get<string>('baseline', 'gitHead');
  const preset = c.get<string>('decoder.preset', 'tiny');
  const maxMb = c.get<number>('maxFileSizeMB', 5);
  const cap = c.get<number>('decoder.tokenCap', 2048);
  // modelPath is `machine`-scoped; in an untrusted workspace read only the user's value, never the workspace's.
  const mp = c.inspect<string>('decoder.modelPath');
  const modelPath = (vscode.workspace.isTrusted ? c.get<string>('decoder.modelPath', '') : mp?.globalValue ?? '') ?? '';
  return {
    audit: {
      provider: (PROVIDERS as readonly string[]).includes(provider) ? (provider as ProviderId) : 'anthropic',
      model: c.get<string>('model', '') ?? '',
      encoding: encoding === 'auto' || !isEncodingName(encoding) ? 'auto' : encoding,
      pricePerMillionTokens: typeof price === 'number' && Number.isFinite(price) && price >= 0 ? price : null,
    },
    baseline: baseline === 'lastSave' ? 'lastSave' : 'gitHead',
    patterns: { include: stringArray(c.get('include'), DEFAULT_INCLUDE), exclude: stringArray(c.get('exclude'), DEFAULT_EXCLUDE) },
    maxFileBytes: (typeof maxMb === 'number' && maxMb > 0 ? maxMb : 5) * 1024 * 1024,
    decoder: {
      preset: preset === 'small' || preset === 'gpt2-small' ? preset : 'tiny',
      modelPath,
      // VS Code does not enforce the manifest's maximum: clamp here so a workspace value cannot ask for 10¹² tokens.
      tokenCap: typeof cap === 'number' && Number.isFinite(cap) && cap >= 16 ? Math.min(65536, Math.floor(cap)) : 2048,
    },
  };
}
