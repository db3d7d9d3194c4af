// The upstream validators (precompiled from the Kubernetes OpenAPI schemas by kubernetes-models)
// for the core types our resources embed, keyed by the Kubernetes definition name.
import { validate as affinity } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Affinity';
import { validate as container } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Container';
import { validate as envFromSource } from 'kubernetes-models/_schemas/IoK8sApiCoreV1EnvFromSource';
import { validate as envVar } from 'kubernetes-models/_schemas/IoK8sApiCoreV1EnvVar';
import { validate as localObjectReference } from 'kubernetes-models/_schemas/IoK8sApiCoreV1LocalObjectReference';
import { validate as podSecurityContext } from 'kubernetes-models/_schemas/IoK8sApiCoreV1PodSecurityContext';
import { validate as probe } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Probe';
import { validate as resourceRequirements } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ResourceRequirements';
import { validate as securityContext } from 'kubernetes-models/_schemas/IoK8sApiCoreV1SecurityContext';
import { validate as toleration } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Toleration';
import { validate as volume } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Volume';
import { validate as volumeMount } from 'kubernetes-models/_schemas/IoK8sApiCoreV1VolumeMount';
import { validate as condition } from '@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1Condition';
import { validate as labelSelector } from '@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1LabelSelector';

/** One error as reported by the upstream validators (ajv's error shape). */
export interface UpstreamValidationError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** An upstream validator: returns whether the data is valid, leaving the errors on `.errors`. */
export interface UpstreamValidator {
  (data: unknown): boolean;
  errors?: UpstreamValidationError[] | null;
}

const asValidator = (fn: (data: unknown) => boolean): UpstreamValidator => fn;

/** Definition name → [validator, key of the derived structural schema in core-schemas.generated.ts]. */
export const k8sValidators = {
  'io.k8s.api.core.v1.Affinity': [asValidator(affinity), 'IoK8sApiCoreV1Affinity'],
  'io.k8s.api.core.v1.Container': [asValidator(container), 'IoK8sApiCoreV1Container'],
  'io.k8s.api.core.v1.EnvFromSource': [asValidator(envFromSource), 'IoK8sApiCoreV1EnvFromSource'],
  'io.k8s.api.core.v1.EnvVar': [asValidator(envVar), 'IoK8sApiCoreV1EnvVar'],
  'io.k8s.api.core.v1.LocalObjectReference': [
    asValidator(localObjectReference),
    'IoK8sApiCoreV1LocalObjectReference',
  ],
  'io.k8s.api.core.v1.PodSecurityContext': [
    asValidator(podSecurityContext),
    'IoK8sApiCoreV1PodSecurityContext',
  ],
  'io.k8s.api.core.v1.Probe': [asValidator(probe), 'IoK8sApiCoreV1Probe'],
  'io.k8s.api.core.v1.ResourceRequirements': [
    asValidator(resourceRequirements),
    'IoK8sApiCoreV1ResourceRequirements',
  ],
  'io.k8s.api.core.v1.SecurityContext': [asValidator(securityContext), 'IoK8sApiCoreV1SecurityContext'],
  'io.k8s.api.core.v1.Toleration': [asValidator(toleration), 'IoK8sApiCoreV1Toleration'],
  'io.k8s.api.core.v1.Volume': [asValidator(volume), 'IoK8sApiCoreV1Volume'],
  'io.k8s.api.core.v1.VolumeMount': [asValidator(volumeMount), 'IoK8sApiCoreV1VolumeMount'],
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': [
    asValidator(condition),
    'IoK8sApimachineryPkgApisMetaV1Condition',
  ],
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': [
    asValidator(labelSelector),
    'IoK8sApimachineryPkgApisMetaV1LabelSelector',
  ],
} as const satisfies Record<string, readonly [UpstreamValidator, string]>;
