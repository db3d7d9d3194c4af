// Minimal structural types of the core and Gateway API objects the translation reads. Objects from
// @kubernetes/client-node or kubernetes-models fit them: only the fields used here are named.

export interface ObjectMetaLite {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string | Date;
}

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

export interface Service {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLite;
  spec?: {
    type?: string;
    clusterIP?: string;
    ports?: ServicePort[];
    selector?: Record<string, string>;
    externalName?: string;
  };
  status?: {
    loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] };
  };
}

export interface EndpointSlice {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLite;
  addressType?: string;
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

export interface Secret {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLite;
  type?: string;
  /** Base64-encoded values, as the API server returns them. */
  data?: Record<string, string>;
  /** Plain values, as a manifest may give them. */
  stringData?: Record<string, string>;
}

export interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLite;
  data?: Record<string, string>;
}

export interface Namespace {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLite;
}

/** gateway.networking.k8s.io ReferenceGrant (v1 or v1beta1: same spec). */
export interface ReferenceGrant {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLite;
  spec: {
    from: { group: string; kind: string; namespace: string }[];
    to: { group: string; kind: string; name?: string }[];
  };
}

/** A status condition as the Kubernetes API writes it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}
