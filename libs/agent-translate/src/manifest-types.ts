import type {
  Affinity,
  Container,
  EnvVar,
  LocalObjectReference,
  PodSecurityContext,
  Probe,
  ResourceRequirements,
  SecurityContext,
  Toleration,
  Volume,
  VolumeMount,
} from '@agentplane/crds/kagent';

/** An owner reference, as kagent's controller sets it (controller and blockOwnerDeletion true). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export interface ChildMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences: OwnerReference[];
}

export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ChildMetadata;
  stringData: Record<string, string>;
}

export interface ServiceAccountObject {
  apiVersion: 'v1';
  kind: 'ServiceAccount';
  metadata: ChildMetadata;
}

export interface PodSpec {
  serviceAccountName: string;
  containers: Container[];
  volumes: Volume[];
  imagePullSecrets?: LocalObjectReference[];
  securityContext?: PodSecurityContext;
  tolerations?: Toleration[];
  affinity?: Affinity;
  nodeSelector?: Record<string, string>;
}

export interface DeploymentObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ChildMetadata;
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    strategy: {
      type: 'RollingUpdate';
      rollingUpdate: { maxUnavailable: number; maxSurge: number };
    };
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: PodSpec;
    };
  };
  status: Record<string, never>;
}

export interface ServiceObject {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ChildMetadata;
  spec: {
    type: 'ClusterIP';
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: number; appProtocol?: string }[];
  };
  status: { loadBalancer: Record<string, never> };
}

/** What the controller applies for one Agent, in this order. */
export type ManifestObject = SecretObject | ServiceAccountObject | DeploymentObject | ServiceObject;

export type { Container, EnvVar, Probe, ResourceRequirements, SecurityContext, Volume, VolumeMount };
