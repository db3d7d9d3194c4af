/** Where a command writes; the process streams in production, buffers in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads standard input (for `-f -`). */
  readStdin: () => Promise<string>;
  /** The process environment (only `src/config.ts` reads it). Default: empty. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Resolves when the process is asked to stop (SIGTERM, SIGINT), with the signal's name. */
  shutdown?: () => Promise<string>;
}
