import { z } from 'zod';
import { allRules, atMostOneOf, exactlyOneOf, addFieldIssue } from '../common/field-rules.js';
import { int32, stringMap } from '../common/meta.js';
import { k8sType } from '../k8s/k8s-type.js';

/** A key in a ConfigMap or Secret of the same namespace. */
export const valueSourceSchema = z.object({
  type: z.enum(['ConfigMap', 'Secret']),
  name: z.string().max(253),
  key: z.string().max(253),
});
export type ValueSource = z.infer<typeof valueSourceSchema>;

/** A named value given inline or read from a ConfigMap/Secret (used for headers). */
export const valueRefSchema = z
  .object({
    name: z.string(),
    value: z.string().optional(),
    valueFrom: valueSourceSchema.optional(),
  })
  .superRefine(exactlyOneOf(['value', 'valueFrom']));
export type ValueRef = z.infer<typeof valueRefSchema>;

/** Which namespaces may reference this resource. */
export const allowedNamespacesSchema = z
  .object({
    from: z.enum(['All', 'Same', 'Selector']).default('Same'),
    selector: k8sType('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector').optional(),
  })
  .superRefine((obj, ctx) => {
    if (obj.from === 'Selector' && obj.selector === undefined) {
      addFieldIssue(ctx, obj, '{{selector}} must be set when {{from}} is Selector', ['selector']);
    }
  });
export type AllowedNamespaces = z.infer<typeof allowedNamespacesSchema>;

const nonEmpty = (v: string | undefined): boolean => v !== undefined && v.length > 0;

/** TLS settings for connections to a model provider or MCP server. */
export const tlsConfigSchema = z
  .object({
    disableVerify: z.boolean().default(false),
    caCertSecretRef: z.string().optional(),
    caCertSecretKey: z.string().optional(),
    disableSystemCAs: z.boolean().default(false),
  })
  .superRefine((tls, ctx) => {
    if (nonEmpty(tls.caCertSecretKey) && !nonEmpty(tls.caCertSecretRef)) {
      addFieldIssue(ctx, tls, '{{caCertSecretKey}} requires {{caCertSecretRef}}', ['caCertSecretRef']);
    }
    if (nonEmpty(tls.caCertSecretRef) && !nonEmpty(tls.caCertSecretKey)) {
      addFieldIssue(ctx, tls, '{{caCertSecretRef}} requires {{caCertSecretKey}}', ['caCertSecretKey']);
    }
    if (tls.disableSystemCAs && !tls.disableVerify && !nonEmpty(tls.caCertSecretRef)) {
      addFieldIssue(
        ctx,
        tls,
        '{{disableSystemCAs}} requires {{caCertSecretRef}} or {{disableVerify}}: with no CA at all every server would be rejected',
      );
    }
  });
export type TlsConfig = z.infer<typeof tlsConfigSchema>;

/** Labels and annotations for a generated ServiceAccount. */
export const serviceAccountConfigSchema = z.object({
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
});

/** Pod and container settings shared by declarative and BYO agents. */
export const sharedDeploymentFields = {
  replicas: int32().optional(),
  imagePullSecrets: z.array(k8sType('io.k8s.api.core.v1.LocalObjectReference')).optional(),
  volumes: z.array(k8sType('io.k8s.api.core.v1.Volume')).optional(),
  volumeMounts: z.array(k8sType('io.k8s.api.core.v1.VolumeMount')).optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
  env: z.array(k8sType('io.k8s.api.core.v1.EnvVar')).optional(),
  imagePullPolicy: z.string().optional(),
  resources: k8sType('io.k8s.api.core.v1.ResourceRequirements').optional(),
  tolerations: z.array(k8sType('io.k8s.api.core.v1.Toleration')).optional(),
  affinity: k8sType('io.k8s.api.core.v1.Affinity').optional(),
  nodeSelector: stringMap().optional(),
  securityContext: k8sType('io.k8s.api.core.v1.SecurityContext').optional(),
  podSecurityContext: k8sType('io.k8s.api.core.v1.PodSecurityContext').optional(),
  serviceAccountName: z.string().optional(),
  serviceAccountConfig: serviceAccountConfigSchema.optional(),
  extraContainers: z.array(k8sType('io.k8s.api.core.v1.Container')).optional(),
};

/** The deployment rules shared by declarative and BYO agents. */
export const sharedDeploymentRules = allRules(atMostOneOf(['serviceAccountName', 'serviceAccountConfig']));
