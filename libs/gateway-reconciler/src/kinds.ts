// The kinds the gateway-controller reads and writes live in `@agentplane/k8s/kinds`.
import type { ResourceKind } from '@agentplane/k8s';
import { DEPLOYMENT, SECRET, SERVICE, SERVICE_ACCOUNT } from '@agentplane/k8s/kinds';

/** What each provisioned Gateway owns. */
export const OWNED_KINDS: readonly ResourceKind[] = [DEPLOYMENT, SERVICE_ACCOUNT, SERVICE, SECRET];
