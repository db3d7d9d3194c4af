import type { Metadata } from '@grpc/grpc-js';
import { XdsAuthenticationError } from '../errors.js';
import type { GatewayRef } from '../node-identity.js';

/** Who a client is, as an authenticator established it. */
export interface XdsClientIdentity {
  /** e.g. `system:serviceaccount:gw-ns:gw-sa`, or `anonymous`. */
  username: string;
  uid?: string;
  groups?: readonly string[];
  /** For a ServiceAccount: its namespace and name. */
  serviceAccount?: { namespace: string; name: string };
}

/** What an authenticator sees of a new stream. */
export interface XdsAuthenticationRequest {
  /** The bearer token from the `authorization` call metadata, if any. */
  token: string | undefined;
  metadata: Metadata;
  peer: string;
}

/**
 * Decides who a client is. Resolve to an identity, or throw XdsAuthenticationError (the stream
 * then ends with UNAUTHENTICATED; any other error ends it with UNAVAILABLE).
 */
export type XdsAuthenticator = (request: XdsAuthenticationRequest) => Promise<XdsClientIdentity>;

/**
 * Decides whether an authenticated client may read a gateway's resources. Return undefined to
 * allow, or the reason to deny (the stream ends with PERMISSION_DENIED).
 */
export type XdsAuthorizer = (
  identity: XdsClientIdentity,
  gateway: GatewayRef | undefined,
) => string | undefined;

/** The bearer token of `authorization: Bearer <token>` call metadata. */
export function bearerToken(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/** Accepts every client as `anonymous` (local mode, tests). */
export function allowAnonymous(): XdsAuthenticator {
  return () => Promise.resolve({ username: 'anonymous' });
}

/** The answer of a Kubernetes TokenReview (`status` of authentication.k8s.io/v1 TokenReview). */
export interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[] };
  audiences?: string[];
  error?: string;
}

export interface TokenReviewAuthenticatorOptions {
  /**
   * Creates a TokenReview for the token with `spec.audiences` and returns its status. The caller
   * supplies the Kubernetes client; this library holds no credentials of its own.
   */
  review: (token: string, audiences: readonly string[]) => Promise<TokenReviewStatus>;
  /** The audience the projected token must carry. Default `agentgateway`. */
  audience?: string;
}

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/**
 * Authenticates gateways by their projected ServiceAccount token: checks it with TokenReview,
 * requires the audience, and returns the ServiceAccount as the identity.
 */
export function createTokenReviewAuthenticator(options: TokenReviewAuthenticatorOptions): XdsAuthenticator {
  const audience = options.audience ?? 'agentgateway';
  return async ({ token }) => {
    if (!token) throw new XdsAuthenticationError('missing bearer token');
    let status: TokenReviewStatus;
    try {
      status = await options.review(token, [audience]);
    } catch (err) {
      throw new XdsAuthenticationError('token review failed', { cause: err });
    }
    if (!status.authenticated || !status.user?.username) {
      throw new XdsAuthenticationError(`token rejected${status.error ? `: ${status.error}` : ''}`);
    }
    if (status.audiences && !status.audiences.includes(audience)) {
      throw new XdsAuthenticationError(`token is not for audience ${audience}`);
    }
    const { username, uid, groups } = status.user;
    const identity: XdsClientIdentity = { username, ...(uid ? { uid } : {}), ...(groups ? { groups } : {}) };
    if (username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      const [namespace, name] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
      if (namespace && name) identity.serviceAccount = { namespace, name };
    }
    return identity;
  };
}

/**
 * The default authorizer: a ServiceAccount may only read gateways of its own namespace; other
 * identities (anonymous, users) are not restricted.
 */
export const sameNamespaceAuthorizer: XdsAuthorizer = (identity, gateway) => {
  if (!identity.serviceAccount || !gateway) return undefined;
  return identity.serviceAccount.namespace === gateway.namespace
    ? undefined
    : `service account ${identity.serviceAccount.namespace}/${identity.serviceAccount.name} may not read gateway ${gateway.namespace}/${gateway.name}`;
};
