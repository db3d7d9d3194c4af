// The upstream validators (precompiled from the Kubernetes OpenAPI schemas by kubernetes-models)
// for the core types our resources embed, keyed by the Kubernetes definition name. Each is loaded
// the first time a value of its type is validated: together with ajv's runtime and formats they
// are a good part of this library's weight, and most resources carry none of these fields.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

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

/** Definition name → [module of its upstream validator, key of the derived structural schema in core-schemas.generated.ts]. */
export const k8sValidators = {
  'io.k8s.api.core.v1.Affinity': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1Affinity',
    'IoK8sApiCoreV1Affinity',
  ],
  'io.k8s.api.core.v1.Container': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1Container',
    'IoK8sApiCoreV1Container',
  ],
  'io.k8s.api.core.v1.EnvFromSource': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1EnvFromSource',
    'IoK8sApiCoreV1EnvFromSource',
  ],
  'io.k8s.api.core.v1.EnvVar': ['kubernetes-models/_schemas/IoK8sApiCoreV1EnvVar', 'IoK8sApiCoreV1EnvVar'],
  'io.k8s.api.core.v1.LocalObjectReference': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1LocalObjectReference',
    'IoK8sApiCoreV1LocalObjectReference',
  ],
  'io.k8s.api.core.v1.PodSecurityContext': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1PodSecurityContext',
    'IoK8sApiCoreV1PodSecurityContext',
  ],
  'io.k8s.api.core.v1.Probe': ['kubernetes-models/_schemas/IoK8sApiCoreV1Probe', 'IoK8sApiCoreV1Probe'],
  'io.k8s.api.core.v1.ResourceRequirements': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1ResourceRequirements',
    'IoK8sApiCoreV1ResourceRequirements',
  ],
  'io.k8s.api.core.v1.SecurityContext': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1SecurityContext',
    'IoK8sApiCoreV1SecurityContext',
  ],
  'io.k8s.api.core.v1.Toleration': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1Toleration',
    'IoK8sApiCoreV1Toleration',
  ],
  'io.k8s.api.core.v1.Volume': ['kubernetes-models/_schemas/IoK8sApiCoreV1Volume', 'IoK8sApiCoreV1Volume'],
  'io.k8s.api.core.v1.VolumeMount': [
    'kubernetes-models/_schemas/IoK8sApiCoreV1VolumeMount',
    'IoK8sApiCoreV1VolumeMount',
  ],
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': [
    '@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1Condition',
    'IoK8sApimachineryPkgApisMetaV1Condition',
  ],
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': [
    '@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1LabelSelector',
    'IoK8sApimachineryPkgApisMetaV1LabelSelector',
  ],
} as const satisfies Record<string, readonly [string, string]>;

const load = createRequire(import.meta.url);
const loaded = new Map<string, UpstreamValidator>();

/**
 * The upstream validator of a core type, loaded on first use. The modules are ES modules only
 * (no `require` export), so they are resolved as an import would be and then loaded
 * synchronously, as zod's refinements run synchronously.
 */
export function upstreamValidator(id: keyof typeof k8sValidators): UpstreamValidator {
  let validate = loaded.get(id);
  if (!validate) {
    const [specifier] = k8sValidators[id];
    const module = load(fileURLToPath(import.meta.resolve(specifier))) as { validate: UpstreamValidator };
    validate = module.validate;
    loaded.set(id, validate);
  }
  return validate;
}
