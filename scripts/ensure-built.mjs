// `npm run audit` builds once on a fresh clone so that the README's first command works as is.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
if (!existsSync('dist/cli.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
