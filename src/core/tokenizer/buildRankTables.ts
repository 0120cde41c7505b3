// Build step (run by scripts/build.mjs): writes each encoding's compact rank table to <outDir>/ranks/<name>.bin,
// which bundles load at start-up instead of parsing js-tiktoken's base64 rank data.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENCODING_NAMES } from '../encodings';
import { prebuiltFileName, readJsTiktokenRanks } from './loadRanks';
import { RankTable } from './rankTable';

export function writeRankTables(outDir: string): string[] {
  const written: string[] = [];
  for (const name of ENCODING_NAMES) {
    const file = path.join(outDir, prebuiltFileName(name));
    const data = RankTable.fromJsTiktoken(readJsTiktokenRanks(name).bpe_ranks).serialize();
    mkdirSync(path.dirname(file), { recursive: true });
    let same = false;
    try {
      same = Buffer.compare(readFileSync(file), data) === 0;
    } catch {
      // not there yet
    }
    if (!same) writeFileSync(file, data);
    written.push(file);
  }
  return written;
}
