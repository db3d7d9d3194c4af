import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { REDACTED } from './redact-secrets.js';

function capture(): { lines: string[]; destination: { write(chunk: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (chunk: string) => void lines.push(chunk) } };
}

const SECRET = 's3cr3t-value';

function objectFullOfSecrets(): Record<string, unknown> {
  return {
    authorization: `Bearer ${SECRET}`,
    password: SECRET,
    apiKey: SECRET,
    'api-key': SECRET,
    token: SECRET,
    secret: SECRET,
    req: {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SECRET}`,
        'proxy-authorization': `Basic ${SECRET}`,
        cookie: `session=${SECRET}`,
        'x-api-key': SECRET,
        'content-type': 'application/json',
      },
    },
    res: { headers: { 'set-cookie': [`session=${SECRET}`] } },
    upstream: { request: { headers: { Authorization: `Bearer ${SECRET}` } } },
    backends: [{ name: 'openai', auth: { apiKey: SECRET } }],
    config: { database: { credentials: { password: SECRET } } },
  };
}

describe('createLogger', () => {
  it('prints JSON, object first, with name and message', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'controller', destination });
    logger.info({ reconciled: 3 }, 'done');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({ name: 'controller', reconciled: 3, msg: 'done', level: 30 });
  });

  it('never prints secrets, at any depth, in child loggers too', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'gateway', destination });
    logger.info(objectFullOfSecrets(), 'request');
    logger.child({ component: 'llm' }).warn({ call: objectFullOfSecrets() }, 'upstream');
    expect(lines).toHaveLength(2);
    const output = lines.join('');
    expect(output).not.toContain(SECRET);
    const first = JSON.parse(lines[0] ?? '') as {
      req: { method: string; headers: Record<string, unknown> };
      upstream: { request: { headers: Record<string, unknown> } };
      backends: { name: string; auth: { apiKey: unknown } }[];
    };
    expect(first.req.headers.authorization).toBe(REDACTED);
    expect(first.req.headers['x-api-key']).toBe(REDACTED);
    expect(first.req.headers['content-type']).toBe('application/json');
    expect(first.req.method).toBe('POST');
    expect(first.upstream.request.headers.Authorization).toBe(REDACTED);
    expect(first.backends[0]?.auth.apiKey).toBe(REDACTED);
    expect(first.backends[0]?.name).toBe('openai');
    const second = JSON.parse(lines[1] ?? '') as { component: string; call: { config: unknown } };
    expect(second.component).toBe('llm');
    // call.config.database.credentials.password sits 4 levels below the root.
    expect(second.call.config).toEqual({ database: { credentials: { password: REDACTED } } });
  });

  it('redacts child bindings and fields of logged errors', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'x', destination });
    const err = Object.assign(new Error('upstream said no'), {
      request: { headers: { authorization: `Bearer ${SECRET}` } },
    });
    logger.child({ component: 'proxy', token: SECRET }).error({ err }, 'failed');
    const output = lines.join('');
    expect(output).not.toContain(SECRET);
    expect(JSON.parse(output)).toMatchObject({
      component: 'proxy',
      token: REDACTED,
      err: { message: 'upstream said no', request: { headers: { authorization: REDACTED } } },
    });
  });

  it('redacts extra field names given by the caller', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'x', destination, secretFields: ['sessionId'] });
    logger.info({ deep: { sessionid: SECRET }, password: SECRET, user: 'ann' }, 'm');
    expect(lines.join('')).not.toContain(SECRET);
    expect(lines.join('')).toContain('ann');
  });

  it('does not change the logged object', () => {
    const { destination } = capture();
    const logger = createLogger({ name: 'x', destination });
    const obj = { headers: { authorization: SECRET } };
    logger.info(obj, 'm');
    expect(obj.headers.authorization).toBe(SECRET);
  });

  it('redacts extra paths given by the caller', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'x', destination, redactPaths: ['session.sid'] });
    logger.info({ session: { sid: SECRET, user: 'ann' } }, 'm');
    expect(lines.join('')).not.toContain(SECRET);
    expect(lines.join('')).toContain('ann');
  });

  it('filters by level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'x', destination, level: 'warn' });
    logger.info('hidden');
    logger.debug('hidden');
    logger.error({ err: new Error('boom') }, 'shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      msg: 'shown',
      err: { message: 'boom', type: 'Error' },
    });
  });

  it('keeps token counts and other look-alike fields', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 'x', destination });
    logger.info({ usage: { input_tokens: 12, max_tokens: 100 }, tokenizer: 'bpe' }, 'm');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      usage: { input_tokens: 12, max_tokens: 100 },
      tokenizer: 'bpe',
    });
  });

  it('prints readable lines with pretty, still redacted', () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ name: 'cli', destination, pretty: true });
    logger.info({ headers: { authorization: SECRET } }, 'hello there');
    const output = chunks.join('');
    expect(output).toContain('hello there');
    expect(output).toContain('INFO');
    expect(output).not.toContain(SECRET);
    expect(() => JSON.parse(output) as unknown).toThrow();
  });
});
