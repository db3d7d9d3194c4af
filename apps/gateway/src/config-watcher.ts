import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';

export interface ConfigWatcher {
  close(): void;
}

/**
 * Watches a file (through its directory, so editors that replace the file are seen too) and calls
 * `onChange` with the new text whenever its content changes. Debounced; never throws.
 */
export function watchConfigFile(opts: {
  path: string;
  initial: string;
  logger: Logger;
  debounceMs?: number;
  onChange: (text: string) => Promise<void>;
}): ConfigWatcher {
  let last = opts.initial;
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const check = () => {
    running = running.then(async () => {
      let text: string;
      try {
        text = await readFile(opts.path, 'utf8');
      } catch (e) {
        opts.logger.warn(
          { err: (e as Error).message, path: opts.path },
          'config file unreadable; keeping the current config',
        );
        return;
      }
      if (text === last) return;
      last = text;
      await opts.onChange(text).catch((e: unknown) => opts.logger.error({ err: e }, 'config reload failed'));
    });
  };
  const name = basename(opts.path);
  const watcher: FSWatcher = watch(dirname(opts.path), (_event, file) => {
    if (file !== null && file !== name) return;
    clearTimeout(timer);
    timer = setTimeout(check, opts.debounceMs ?? 100);
  });
  watcher.on('error', (e) => opts.logger.warn({ err: e.message }, 'config watch error'));
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
