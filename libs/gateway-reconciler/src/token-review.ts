// TokenReview through the Kubernetes API, for the xDS server's authenticator.
import type { KubeClient } from '@agentplane/k8s';
import type { TokenReviewStatus } from '@agentplane/xds';

/** `review(token, audiences)` for createTokenReviewAuthenticator: POSTs an authentication.k8s.io/v1 TokenReview. */
export function createTokenReview(
  client: KubeClient,
): (token: string, audiences: readonly string[]) => Promise<TokenReviewStatus> {
  return async (token, audiences) => {
    const res = await client.request<{ status?: TokenReviewStatus }>(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      {
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token, audiences: [...audiences] },
        },
      },
    );
    return res.status ?? {};
  };
}
