/** Labels on objects the API creates on the user's behalf (API-key Secrets). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'agentplane-controller-api';
