import { z } from 'zod';
import { k8sType } from '../k8s/k8s-type.js';
import { int64 } from './meta.js';

/** A status condition (`metav1.Condition`), validated by the upstream schema. */
export const conditionSchema = k8sType('io.k8s.apimachinery.pkg.apis.meta.v1.Condition');

/** The status most of our resources carry: conditions and the generation they describe. */
export const conditionsStatusFields = {
  conditions: z.array(conditionSchema).optional(),
  observedGeneration: int64().optional(),
};
