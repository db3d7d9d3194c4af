/** Where a command writes; the process streams in production, buffers in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads standard input (for `-f -`). */
  readStdin: () => Promise<string>;
}
