import { AsyncLocalStorage } from 'node:async_hooks';

/** The upstream credentials of the downstream request being handled. */
export interface RequestCredentials {
  /** The client's own `Authorization` header (for targets with `backendAuth: passthrough`). */
  readonly client?: string;
  /** What the route's `backendAuth` sends to targets without a `backendAuth` of their own. */
  readonly route?: string;
}

/**
 * Carries {@link RequestCredentials} from the downstream request to the upstream messages sent on
 * its behalf (the messages go out within its async context), so a credential is never taken from
 * one request and sent with another's messages.
 */
export class RequestCredentialScope {
  private readonly storage = new AsyncLocalStorage<RequestCredentials>();

  run<T>(credentials: RequestCredentials, fn: () => T): T {
    return this.storage.run(credentials, fn);
  }

  /** The current request's credentials; undefined outside any request (background traffic). */
  current(): RequestCredentials | undefined {
    return this.storage.getStore();
  }
}
