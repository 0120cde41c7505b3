// The `prompt-cache-audit` command line. Each subcommand lives in its own file and registers itself here; all
// numbers come from src/core/audit.ts, the same entry point the extension uses.
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json';
import { registerDiffCommand } from './diff';
import { registerHistoryCommand } from './history';
import { CliError } from './io';
import { registerLintCommand } from './lint';
// The `measure` subcommand (local cached decoder) loads the decoder client only when it runs.
import { registerMeasureCommand } from './measure';
import { registerRulesCommand } from './rules';
import { registerTraceCommand } from './trace';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('prompt-cache-audit')
    .description('What each prompt edit costs the provider prefix (KV) cache: token-exact divergence, per-provider cache estimates, lint.')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`prompt-cache-audit: ${str.replace(/^error: /, '')}`) });
  registerDiffCommand(program);
  registerHistoryCommand(program);
  registerLintCommand(program);
  registerRulesCommand(program);
  registerMeasureCommand(program);
  registerTraceCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `… | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end here with code 0; usage errors were already printed (one line).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      process.stderr.write(`prompt-cache-audit: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`prompt-cache-audit: ${err?.message ?? String(e)}\n`);
    if (process.env.PROMPT_CACHE_AUDIT_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
