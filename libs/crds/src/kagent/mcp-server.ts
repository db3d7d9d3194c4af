import { z } from 'zod';
import { conditionsStatusFields } from '../common/conditions.js';
import { atMostOneOf } from '../common/field-rules.js';
import { int32, stringMap } from '../common/meta.js';
import { objectMetaSchema } from '../common/object-meta.js';
import { k8sType } from '../k8s/k8s-type.js';

const pullPolicySchema = z.enum(['Always', 'Never', 'IfNotPresent']);
const localObjectReference = () => k8sType('io.k8s.api.core.v1.LocalObjectReference');

export const mcpServerDeploymentSchema = z
  .object({
    image: z.string().optional(),
    port: z.int().default(3000),
    cmd: z.string().optional(),
    args: z.array(z.string()).optional(),
    env: stringMap().optional(),
    secretRefs: z.array(localObjectReference()).optional(),
    configMapRefs: z.array(localObjectReference()).optional(),
    volumeMounts: z.array(k8sType('io.k8s.api.core.v1.VolumeMount')).optional(),
    volumes: z.array(k8sType('io.k8s.api.core.v1.Volume')).optional(),
    labels: stringMap().optional(),
    annotations: stringMap().optional(),
    replicas: int32().default(1),
    imagePullPolicy: pullPolicySchema.optional(),
    imagePullSecrets: z.array(localObjectReference()).optional(),
    initContainer: z
      .object({
        image: z.string().optional(),
        imagePullPolicy: pullPolicySchema.optional(),
        resources: k8sType('io.k8s.api.core.v1.ResourceRequirements').optional(),
        securityContext: k8sType('io.k8s.api.core.v1.SecurityContext').optional(),
      })
      .optional(),
    resources: k8sType('io.k8s.api.core.v1.ResourceRequirements').optional(),
    nodeSelector: stringMap().optional(),
    affinity: k8sType('io.k8s.api.core.v1.Affinity').optional(),
    tolerations: z.array(k8sType('io.k8s.api.core.v1.Toleration')).optional(),
    serviceAccount: z
      .object({
        labels: stringMap().optional(),
        annotations: stringMap().optional(),
      })
      .optional(),
    serviceAccountName: z.string().optional(),
    sidecars: z.array(k8sType('io.k8s.api.core.v1.Container')).optional(),
    securityContext: k8sType('io.k8s.api.core.v1.SecurityContext').optional(),
    podSecurityContext: k8sType('io.k8s.api.core.v1.PodSecurityContext').optional(),
  })
  .superRefine(atMostOneOf(['serviceAccount', 'serviceAccountName']));

export const mcpServerSpecSchema = z.object({
  deployment: mcpServerDeploymentSchema,
  transportType: z.enum(['stdio', 'http']).optional(),
  stdioTransport: z.object({}).optional(),
  httpTransport: z
    .object({
      targetPort: int32().optional(),
      path: z.string().optional(),
      tls: z
        .object({
          secretRef: z.string().optional(),
          insecureSkipVerify: z.boolean().default(false),
        })
        .optional(),
    })
    .optional(),
  timeout: z.string().default('30s'),
});
export type MCPServerSpec = z.infer<typeof mcpServerSpecSchema>;

export const mcpServerStatusSchema = z.object({
  conditions: conditionsStatusFields.conditions
    .unwrap()
    .max(8)
    .optional()
    .meta({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    }),
  observedGeneration: conditionsStatusFields.observedGeneration,
});
export type MCPServerStatus = z.infer<typeof mcpServerStatusSchema>;

/** kagent.dev/v1alpha1 MCPServer (from kmcp). */
export const mcpServerSchema = z.object({
  apiVersion: z.literal('kagent.dev/v1alpha1'),
  kind: z.literal('MCPServer'),
  metadata: objectMetaSchema,
  spec: mcpServerSpecSchema,
  status: mcpServerStatusSchema.optional(),
});
export type MCPServer = z.infer<typeof mcpServerSchema>;
export type MCPServerInput = z.input<typeof mcpServerSchema>;
