import { Command, CommanderError } from 'commander';
import type { CliIo } from './cli-io.js';
import { registerRenderCommand } from './render-command.js';
import { registerRunCommand } from './run-command.js';
import { VERSION } from './version.js';

/**
 * Runs the controller's command line and returns the exit status. Each mode is a subcommand
 * registered from its own module: `run` (the default: reconcile) and `render`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = new Command('controller')
    .description('Agentplane controller')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerRunCommand(program, io, (s) => {
    status = s;
  });
  registerRenderCommand(program, io, (s) => {
    status = s;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return status;
}
