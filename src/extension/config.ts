// Reading `promptCache.*` settings. Untrusted workspaces get the user's (machine) values for restricted settings
// only: a workspace must not point the decoder at a model file of its choosing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditSettings } from '../auditWorker/protocol';
// The id lists only (no rule tables, no tokenizer): activation stays cheap.
import { ENCODING_NAMES, isEncodingName, isProviderId, PROVIDER_IDS } from '../core/ids';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, type PromptFilePatterns } from '../core/promptFiles';
import { DEFAULT_PRESET, DEFAULT_TOKEN_CAP } from '../decoder/defaults';
import { PRESET_NAMES, type PresetName } from '../decoder/presets';

export const SECTION = 'promptCache';
export const PROVIDERS = PROVIDER_IDS;
export const ENCODINGS = ENCODING_NAMES;
export type BaselineKind = 'gitHead' | 'lastSave';
export type DecoderPreset = PresetName;


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

/** A relative rules file is relative to the workspace folder (of `scope`, else the first one). */
function resolveRulesFile(file: string, scope?: vscode.ConfigurationScope): string {
  if (path.isAbsolute(file)) return file;
  const folder = (scope && 'fsPath' in scope ? vscode.workspace.getWorkspaceFolder(scope as vscode.Uri) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, file) : file;
}

export function readSettings(scope?: vscode.ConfigurationScope): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const provider = c.get<string>('provider', 'anthropic');
  const encoding = c.get<string>('encoding', 'auto');
  const price = c.get<number | null>('pricePerMillionTokens', null);
  // A rules file is data (schema-validated), so a team may share one in the workspace; an untrusted workspace's own
  // choice is ignored all the same (it would change every figure the user sees), as for decoder.modelPath.
  const rulesFile = (vscode.workspace.isTrusted ? c.get<string>('rulesFile', '') : c.inspect<string>('rulesFile')?.globalValue ?? '') ?? '';
  const baseline = c.get<string>('baseline', 'gitHead');
  const preset = c.get<string>('decoder.preset', DEFAULT_PRESET);
  const maxMb = c.get<number>('maxFileSizeMB', 5);
  const cap = c.get<number>('decoder.tokenCap', DEFAULT_TOKEN_CAP);
  // modelPath is `machine`-scoped; in an untrusted workspace read only the user's value, never the workspace's.
  const mp = c.inspect<string>('decoder.modelPath');
  const modelPath = (vscode.workspace.isTrusted ? c.get<string>('decoder.modelPath', '') : mp?.globalValue ?? '') ?? '';
  const maxFileBytes = (typeof maxMb === 'number' && maxMb > 0 ? maxMb : 5) * 1024 * 1024;
  return {
    audit: {
      provider: isProviderId(provider) ? provider : 'anthropic',
      model: c.get<string>('model', '') ?? '',
      encoding: encoding === 'auto' || !isEncodingName(encoding) ? 'auto' : encoding,
      pricePerMillionTokens: typeof price === 'number' && Number.isFinite(price) && price >= 0 ? price : null,
      deploymentVariables: [...stringArray(c.get('deploymentVariables'), [])],
      workspaceRoots: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      ...(rulesFile.trim() ? { rulesFile: resolveRulesFile(rulesFile.trim(), scope) } : {}),
      maxFileBytes,
    },
    baseline: baseline === 'lastSave' ? 'lastSave' : 'gitHead',
    patterns: { include: stringArray(c.get('include'), DEFAULT_INCLUDE), exclude: stringArray(c.get('exclude'), DEFAULT_EXCLUDE) },
    maxFileBytes,
    decoder: {
      preset: (PRESET_NAMES as readonly string[]).includes(preset) ? (preset as PresetName) : DEFAULT_PRESET,
      modelPath,
      // VS Code does not enforce the manifest's maximum: clamp here so a workspace value cannot ask for 10¹² tokens.
      tokenCap: typeof cap === 'number' && Number.isFinite(cap) && cap >= 16 ? Math.min(65536, Math.floor(cap)) : DEFAULT_TOKEN_CAP,
    },
  };
}
