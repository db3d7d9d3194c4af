import { UnknownKindError, type KubeClient, type ResourceKind } from '@agentplane/k8s';
import { endpointSliceKind } from '@agentplane/k8s/kinds';

/** The EndpointSlice kind the API server serves: discovery.k8s.io/v1, else v1beta1 (Kubernetes ≤ 1.20). */
export async function detectEndpointSliceKind(client: KubeClient): Promise<ResourceKind> {
  const v1 = endpointSliceKind('v1');
  try {
    await client.resolve({ apiVersion: v1.apiVersion, kind: v1.kind });
    return v1;
  } catch (err) {
    if (err instanceof UnknownKindError) return endpointSliceKind('v1beta1');
    throw err;
  }
}
