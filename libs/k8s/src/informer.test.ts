import { describe, expect, it } from 'vitest';
import { createLogger } from '@agentplane/telemetry';
import { waitFor } from '@agentplane/testing/wait';
import { Informer } from './informer.js';
import type { KubeClient, RawWatchEvent } from './kube-client.js';
import type { WatchEvent } from './resource-source.js';
import type { KubeObject, ResourceKind } from './resource-types.js';

const THING: ResourceKind = { apiVersion: 'example.com/v1', kind: 'Thing' };

const thing = (name: string, resourceVersion: string, generation = 1): KubeObject => ({
  apiVersion: THING.apiVersion,
  kind: THING.kind,
  metadata: { namespace: 'ns', name, resourceVersion, generation },
});

/** A client whose list is empty and whose watch stream the test feeds by hand. */
function scriptedClient(): {
  client: KubeClient;
  send: (event: RawWatchEvent) => void;
  watching: () => boolean;
} {
  let onEvent: ((event: RawWatchEvent) => void) | undefined;
  const client = {
    path: () => Promise.resolve('/apis/example.com/v1/things'),
    request: () => Promise.resolve({ metadata: { resourceVersion: '1' }, items: [] }),
    watch: (
      _path: string,
      _query: unknown,
      handler: (event: RawWatchEvent) => void,
      signal: AbortSignal,
    ): Promise<void> => {
      onEvent = handler;
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
  return {
    client: client as unknown as KubeClient,
    send: (event) => onEvent?.(event),
    watching: () => onEvent !== undefined,
  };
}

async function startInformer(): Promise<{
  informer: Informer;
  events: WatchEvent[];
  send: (event: RawWatchEvent) => void;
}> {
  const { client, send, watching } = scriptedClient();
  const informer = new Informer({
    client,
    kind: THING,
    resyncPeriodMs: 0,
    logger: createLogger({ name: 'test', level: 'silent' }),
  });
  const events: WatchEvent[] = [];
  informer.addHandler((e) => events.push(e));
  informer.start();
  await informer.waitForSync();
  await waitFor(watching, { description: 'watch started' });
  return { informer, events, send };
}

describe('Informer', () => {
  it('reports an object it was told about by its own write as added when the watch delivers it', async () => {
    const { informer, events, send } = await startInformer();
    // The create's response reaches the cache before the watch event does.
    informer.remember(thing('a', '5'));
    expect(events).toEqual([]);
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('5');
    send({ type: 'ADDED', object: thing('a', '5') });
    expect(events.map((e) => e.type)).toEqual(['added']);
    await informer.stop();
  });

  it('reports an update of ours against the object the handlers last saw', async () => {
    const { informer, events, send } = await startInformer();
    send({ type: 'ADDED', object: thing('a', '5', 1) });
    informer.remember(thing('a', '6', 2));
    send({ type: 'MODIFIED', object: thing('a', '6', 2) });
    const modified = events[1];
    expect(modified?.type).toBe('modified');
    expect(modified?.oldObject?.metadata.generation).toBe(1);
    expect(modified?.object.metadata.generation).toBe(2);
    await informer.stop();
  });

  it('skips a watch event older than a write of ours, then reports that write', async () => {
    const { informer, events, send } = await startInformer();
    send({ type: 'ADDED', object: thing('a', '5', 1) });
    informer.remember(thing('a', '8', 3));
    send({ type: 'MODIFIED', object: thing('a', '7', 2) });
    expect(events).toHaveLength(1);
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('8');
    send({ type: 'MODIFIED', object: thing('a', '8', 3) });
    expect(events[1]?.oldObject?.metadata.generation).toBe(1);
    await informer.stop();
  });
});
