// The kinds the MCPServer reconciler reads or writes live in `@agentplane/k8s/kinds`.
import type { ResourceKind } from '@agentplane/k8s';
import { CONFIG_MAP, DEPLOYMENT, SERVICE, SERVICE_ACCOUNT } from '@agentplane/k8s/kinds';

/** Every kind an MCPServer may own: pruned when no longer desired, cleaned up when it is deleted. */
export const OWNED_KINDS: readonly ResourceKind[] = [DEPLOYMENT, SERVICE, CONFIG_MAP, SERVICE_ACCOUNT];
