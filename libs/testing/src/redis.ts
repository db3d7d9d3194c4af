import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

export interface CreateTestRedisOptions {
  /**
   * URL of a Redis server (the caller passes `REDIS_URL`). Required: there is no in-process
   * Redis; without a URL this throws {@link TestRedisError} with code `REDIS_URL_MISSING`.
   */
  url?: string;
  /** Key prefix, ending in `:`. Default: `test:<unique>:`. */
  keyPrefix?: string;
  /** More client options (the prefix, `lazyConnect` and retry settings are set here). */
  clientOptions?: RedisOptions;
}

export interface TestRedis extends AsyncDisposable {
  readonly url: string;
  /** Every key the clients touch starts with this. */
  readonly keyPrefix: string;
  /** A connected client whose keys are prefixed with `keyPrefix`. */
  readonly client: Redis;
  /**
   * Another connected client with the same prefix (e.g. a subscriber, which cannot run other
   * commands). Quit by `dispose()`. Pub/sub channel names are not prefixed by ioredis.
   */
  createClient(): Promise<Redis>;
  /** Deletes every key under the prefix, found with SCAN. */
  flush(): Promise<number>;
  /** Deletes the prefix's keys and quits every client. Safe to call twice. */
  dispose(): Promise<void>;
}

export class TestRedisError extends Error {
  constructor(
    readonly code: 'REDIS_URL_MISSING' | 'REDIS_UNREACHABLE' | 'INVALID_OPTIONS',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TestRedisError';
  }
}

function safeUrl(url: string): string {
  try {
    const copy = new URL(url);
    if (copy.password) copy.password = '***';
    return copy.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** A client that fails fast instead of retrying forever, as tests want. */
async function connectClient(url: string, options: RedisOptions): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => (attempt > 3 ? null : 100 * attempt),
    ...options,
  });
  // Connection errors surface through connect() and the commands; keep them off 'error'.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    client.disconnect();
    throw new TestRedisError('REDIS_UNREACHABLE', `cannot connect to Redis at ${safeUrl(url)}`, { cause });
  }
  return client;
}

/**
 * A Redis client for one test file, isolated from other files by a unique key prefix. Needs a
 * real server: CI provides one through `REDIS_URL`. In local mode the apps keep this state
 * in-process, so tests of Redis-backed code skip without a URL:
 *
 * ```ts
 * const redisUrl = process.env.REDIS_URL;
 * describe.skipIf(!redisUrl)('rate limiter on Redis', () => {
 *   let redis: TestRedis;
 *   beforeAll(async () => (redis = await createTestRedis({ url: redisUrl })));
 *   afterAll(() => redis.dispose());
 * });
 * ```
 */
export async function createTestRedis(options: CreateTestRedisOptions = {}): Promise<TestRedis> {
  const { url } = options;
  if (!url) {
    throw new TestRedisError(
      'REDIS_URL_MISSING',
      'no Redis URL given: pass the REDIS_URL of a real server, or skip Redis-backed tests when it is unset',
    );
  }
  const keyPrefix =
    options.keyPrefix ?? `test:${process.pid.toString(36)}-${randomBytes(6).toString('hex')}:`;
  if (!keyPrefix.endsWith(':') || /[*?[\]\\]/.test(keyPrefix)) {
    throw new TestRedisError(
      'INVALID_OPTIONS',
      'keyPrefix must end with ":" and hold no glob characters (*?[]\\)',
    );
  }
  const clientOptions: RedisOptions = { ...options.clientOptions, keyPrefix };
  const clients: Redis[] = [await connectClient(url, clientOptions)];
  const client = clients[0] as Redis;

  const flush = async (): Promise<number> => {
    // SCAN's MATCH pattern is not prefixed by ioredis, and the keys it returns carry the prefix:
    // delete them through a connection without one.
    const plain = await connectClient(url, { ...options.clientOptions, keyPrefix: '' });
    let deleted = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await plain.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) deleted += await plain.unlink(...keys);
      } while (cursor !== '0');
    } finally {
      await plain.quit().catch(() => plain.disconnect());
    }
    return deleted;
  };

  let disposing: Promise<void> | undefined;
  const dispose = (): Promise<void> =>
    (disposing ??= (async () => {
      try {
        await flush();
      } finally {
        await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      }
    })());

  return {
    url,
    keyPrefix,
    client,
    async createClient() {
      const extra = await connectClient(url, clientOptions);
      clients.push(extra);
      return extra;
    },
    flush,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
