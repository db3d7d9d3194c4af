import type { StreamResponse, Task } from '@a2a-js/sdk';
import { V03PushNotificationSerializer } from '@a2a-js/sdk/compat/v0_3/server';
import {
  V1PushNotificationSerializer,
  type PushNotificationSender,
  type PushNotificationSerializer,
  type ServerCallContext,
  type StoredPushNotificationConfig,
} from '@a2a-js/sdk/server';
import type { PushNotificationStore } from '@a2a-js/sdk/server';
import type { CoreLogger } from '@agentplane/agent-core';
import { PARTIAL_KEY } from './a2a-parts.js';

export interface RetryingPushSenderOptions {
  readonly store: PushNotificationStore;
  readonly logger: CoreLogger;
  /** Attempts per notification, the first included. Default 4. */
  readonly attempts?: number;
  /** First backoff; doubles each retry. Default 250 ms. */
  readonly backoffMs?: number;
  /** Per-attempt timeout. Default 5 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

function taskIdOf(response: StreamResponse): string {
  const p = response.payload;
  if (!p) return '';
  return p.$case === 'task' ? p.value.id : p.value.taskId;
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Delivers task events to the webhooks registered for a task, in order per task, in the wire
 * version the client registered with (v0.3 or v1.0). A failed delivery (network error, 408,
 * 429, 5xx) is retried with exponential backoff; other answers are final.
 */
export class RetryingPushSender implements PushNotificationSender {
  private readonly options: RetryingPushSenderOptions;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly serializers: Record<string, PushNotificationSerializer> = {
    '0.3': new V03PushNotificationSerializer(),
    '1.0': new V1PushNotificationSerializer(),
  };

  constructor(options: RetryingPushSenderOptions) {
    this.options = options;
  }

  async send(response: StreamResponse, context: ServerCallContext, task?: Task): Promise<void> {
    const taskId = taskIdOf(response);
    if (taskId === '') return;
    // Streamed tokens are for open streams; a webhook gets whole steps.
    const p = response.payload;
    if (p?.$case === 'statusUpdate' && p.value.status?.message?.metadata?.[PARTIAL_KEY] === true) return;
    const { store } = this.options;
    const configs: StoredPushNotificationConfig[] = store.loadWithMetadata
      ? await store.loadWithMetadata(taskId, context)
      : (await store.load(taskId, context)).map((config) => ({
          config,
          wireVersion: context.requestedVersion || '0.3',
        }));
    if (configs.length === 0) return;
    const previous = this.chains.get(taskId) ?? Promise.resolve();
    const next = previous.then(() =>
      Promise.all(configs.map((c) => this.deliver(c, response, taskId, task))).then(() => undefined),
    );
    this.chains.set(taskId, next);
    try {
      await next;
    } finally {
      if (this.chains.get(taskId) === next) this.chains.delete(taskId);
    }
  }

  private async deliver(
    stored: StoredPushNotificationConfig,
    response: StreamResponse,
    taskId: string,
    task?: Task,
  ): Promise<void> {
    const { config } = stored;
    const serializer =
      this.serializers[stored.wireVersion.startsWith('0.') ? '0.3' : '1.0'] ??
      new V1PushNotificationSerializer();
    const { body, contentType } = serializer.serialize(response, task);
    const headers: Record<string, string> = { 'content-type': contentType };
    if (config.authentication?.scheme && config.authentication.credentials) {
      headers['authorization'] = `${config.authentication.scheme} ${config.authentication.credentials}`;
    } else if (config.token) {
      headers['x-a2a-notification-token'] = config.token;
    }
    const attempts = this.options.attempts ?? 4;
    let delay = this.options.backoffMs ?? 250;
    const doFetch = this.options.fetch ?? fetch;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let problem: string;
      try {
        const res = await doFetch(config.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        problem = `HTTP ${res.status}`;
        if (!retryable(res.status)) {
          this.options.logger.warn(
            { taskId, url: config.url, status: res.status },
            'push notification refused',
          );
          return;
        }
      } catch (err) {
        problem = (err as Error).message;
      }
      if (attempt === attempts) {
        this.options.logger.warn(
          { taskId, url: config.url, problem, attempts },
          'push notification not delivered',
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}
