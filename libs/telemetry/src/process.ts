// The plumbing every app's composition root (`src/main.ts`) repeats: command-line parsing with
// usage errors, exit codes, logging stray errors, and graceful shutdown on SIGTERM/SIGINT.
import type { Logger } from './logger.js';

/** A bad command line: the app prints the message and its usage and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

interface Output {
  write(text: string): unknown;
}

export interface ParseCommandLineOptions {
  /** Printed after a usage error and for `help`. */
  usage: string;
  /** Default `process.stdout`. */
  stdout?: Output;
  /** Default `process.stderr`. */
  stderr?: Output;
}

/**
 * Runs the app's parser: `'help'` prints the usage (exit 0), a `UsageError` prints its message and
 * the usage to stderr (exit 2); anything else thrown propagates.
 */
export function parseCommandLine<T>(
  parse: () => T | 'help',
  options: ParseCommandLineOptions,
): { config: T } | { exitCode: number } {
  let config: T | 'help';
  try {
    config = parse();
  } catch (e) {
    if (e instanceof UsageError) {
      (options.stderr ?? process.stderr).write(`${e.message}\n${options.usage}\n`);
      return { exitCode: 2 };
    }
    throw e;
  }
  if (config === 'help') {
    (options.stdout ?? process.stdout).write(`${options.usage}\n`);
    return { exitCode: 0 };
  }
  return { config };
}

/** Runs `main`; its result becomes the exit code, a rejection prints `fatal: …` and exits with 1. */
export function runMain(main: () => Promise<number>, stderr: Output = process.stderr): Promise<void> {
  return main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      stderr.write(`fatal: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

interface ProcessEvents {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (e: unknown) => void): unknown;
  on(event: NodeJS.Signals, listener: () => void): unknown;
}

/** Logs uncaught exceptions and unhandled rejections instead of crashing. */
export function logUncaughtErrors(logger: Logger, events: ProcessEvents = process): void {
  events.on('uncaughtException', (e) => logger.error({ err: e }, 'uncaught exception'));
  events.on('unhandledRejection', (e) => logger.error({ err: e }, 'unhandled rejection'));
}

export interface WaitForShutdownOptions {
  logger: Logger;
  /** Stops the app; an error is logged (`shutdown error`), the exit code stays. */
  close(): Promise<void>;
  /** Logged with `{ signal }` (or `{ reason }`) when stopping starts. Default `stopping`. */
  message?: string;
  /** The app ending on its own (lost leadership, say): stops with `reason` and the given exit code. */
  done?: { exitCode: Promise<number>; reason: string };
  /** Where SIGTERM and SIGINT come from. Default `process`. */
  events?: ProcessEvents;
}

/**
 * Resolves once the app has stopped after the first SIGTERM or SIGINT (exit code 0) or after
 * `done` (its exit code); later signals are ignored.
 */
export function waitForShutdown(options: WaitForShutdownOptions): Promise<number> {
  const { logger } = options;
  const events = options.events ?? process;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (fields: { signal: string } | { reason: string }, exitCode: number): void => {
      if (stopping) return;
      stopping = true;
      logger.info(fields, options.message ?? 'stopping');
      options
        .close()
        .catch((e: unknown) => logger.error({ err: e }, 'shutdown error'))
        .finally(() => resolve(exitCode));
    };
    events.on('SIGTERM', () => stop({ signal: 'SIGTERM' }, 0));
    events.on('SIGINT', () => stop({ signal: 'SIGINT' }, 0));
    const { done } = options;
    if (done) void done.exitCode.then((code) => stop({ reason: done.reason }, code));
  });
}
