import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { logUncaughtErrors, parseCommandLine, runMain, UsageError, waitForShutdown } from './process.js';

const output = () => {
  const lines: string[] = [];
  return { lines, write: (text: string) => lines.push(text) };
};

describe('parseCommandLine', () => {
  it('returns the config', () => {
    expect(parseCommandLine(() => ({ port: 1 }), { usage: 'usage: x' })).toEqual({ config: { port: 1 } });
  });

  it('prints the usage for help (exit 0) and after a usage error (exit 2)', () => {
    const stdout = output();
    const stderr = output();
    expect(parseCommandLine(() => 'help', { usage: 'usage: x', stdout, stderr })).toEqual({ exitCode: 0 });
    expect(stdout.lines).toEqual(['usage: x\n']);
    const bad = () => {
      throw new UsageError('unknown flag --y');
    };
    expect(parseCommandLine(bad, { usage: 'usage: x', stdout, stderr })).toEqual({ exitCode: 2 });
    expect(stderr.lines).toEqual(['unknown flag --y\nusage: x\n']);
  });

  it('lets other errors through', () => {
    const boom = () => {
      throw new Error('boom');
    };
    expect(() => parseCommandLine(boom, { usage: 'u' })).toThrow('boom');
  });
});

describe('runMain', () => {
  const saved = process.exitCode;
  afterEach(() => {
    process.exitCode = saved;
  });

  it('sets the exit code from main, or 1 with a fatal line when it rejects', async () => {
    await runMain(() => Promise.resolve(3));
    expect(process.exitCode).toBe(3);
    const stderr = output();
    await runMain(() => Promise.reject(new Error('no')), stderr);
    expect(process.exitCode).toBe(1);
    expect(stderr.lines).toEqual(['fatal: Error: no\n']);
  });
});

describe('waitForShutdown', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });

  it('closes once on the first signal and resolves 0', async () => {
    const events = new EventEmitter();
    const close = vi.fn(() => Promise.resolve());
    const info = vi.spyOn(logger, 'info');
    const stopped = waitForShutdown({ logger, close, events, message: 'draining' });
    events.emit('SIGTERM');
    events.emit('SIGINT');
    await expect(stopped).resolves.toBe(0);
    expect(close).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith({ signal: 'SIGTERM' }, 'draining');
  });

  it('stops with the exit code of done, and logs a failing close', async () => {
    const events = new EventEmitter();
    const error = vi.spyOn(logger, 'error');
    const stopped = waitForShutdown({
      logger,
      close: () => Promise.reject(new Error('stuck')),
      events,
      done: { exitCode: Promise.resolve(7), reason: 'leadership lost' },
    });
    await expect(stopped).resolves.toBe(7);
    expect(error).toHaveBeenCalledWith({ err: expect.any(Error) as unknown }, 'shutdown error');
  });
});

describe('logUncaughtErrors', () => {
  it('logs instead of crashing', () => {
    const events = new EventEmitter();
    const logger = createLogger({ name: 'test', level: 'silent' });
    const error = vi.spyOn(logger, 'error');
    logUncaughtErrors(logger, events);
    events.emit('unhandledRejection', new Error('late'));
    expect(error).toHaveBeenCalledWith({ err: expect.any(Error) as unknown }, 'unhandled rejection');
  });
});
