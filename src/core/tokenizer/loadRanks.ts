// Where rank tables come from. Bundles (dist/*.js) read the prebuilt `ranks/<name>.bin` next to them, written
// by scripts/build.mjs: a few ms, and the 1-2 MB js-tiktoken rank modules stay out of every bundle. Running
// from source (tsx, tests) there is no such file, so the table is built from js-tiktoken's data (0.3-0.6 s for o200k).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { BpeEncodingName as EncodingName } from '../ids';
import { RankTable } from './rankTable';

export interface RankData {
  table: RankTable;
  specialTokens: Record<string, number>;
}

interface JsTiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/** File name of the prebuilt table, relative to the bundle's directory. */
export function prebuiltFileName(name: EncodingName): string {
  return path.join('ranks', `${name}.bin`);
}

/** Special tokens per encoding (never produced by encode; only so decode/tokenBytes know their text). */
const SPECIAL_TOKENS: Record<EncodingName, Record<string, number>> = {
  o200k_base: { '<|endoftext|>': 199999, '<|endofprompt|>': 200018 },
  cl100k_base: {
    '<|endoftext|>': 100257,
    '<|fim_prefix|>': 100258,
    '<|fim_middle|>': 100259,
    '<|fim_suffix|>': 100260,
    '<|endofprompt|>': 100276,
  },
  p50k_base: { '<|endoftext|>': 50256 },
  r50k_base: { '<|endoftext|>': 50256 },
};

export function loadRankData(name: EncodingName): RankData {
  const specialTokens = SPECIAL_TOKENS[name];
  const prebuilt = readPrebuilt(name);
  if (prebuilt) return { table: prebuilt, specialTokens };
  return { table: RankTable.fromJsTiktoken(readJsTiktokenRanks(name).bpe_ranks), specialTokens };
}

function readPrebuilt(name: EncodingName): RankTable | undefined {
  // __dirname is the bundle's directory in dist/; under tsx it is this source folder, which has no ranks/.
  const file = path.join(__dirname, prebuiltFileName(name));
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  return RankTable.deserialize(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** js-tiktoken's rank module, required by a computed name so that esbuild does not bundle all of them. */
export function readJsTiktokenRanks(name: EncodingName): JsTiktokenRanks {
  const req = createRequire(__filename);
  let mod: JsTiktokenRanks | { default: JsTiktokenRanks };
  try {
    mod = req(`js-tiktoken/ranks/${name}`) as JsTiktokenRanks | { default: JsTiktokenRanks };
  } catch (err) {
    throw new Error(
      `Cannot load the ${name} rank table: no prebuilt ${prebuiltFileName(name)} next to ${__dirname} (run \`npm run build\`) and js-tiktoken is not installed (${(err as Error).message})`,
    );
  }
  return 'default' in mod ? mod.default : mod;
}
