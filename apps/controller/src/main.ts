#!/usr/bin/env node
// Composition root of the controller: wires process I/O into the command line.
import { text } from 'node:stream/consumers';
import { runCli } from './cli.js';

const status = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: () => text(process.stdin),
  env: process.env,
  shutdown: () =>
    new Promise<string>((resolve) => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
    }),
});
process.exitCode = status;
