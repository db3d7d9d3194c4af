import type { ApiContext } from './api-context.js';
import { agentDbId } from './agent-id.js';
import type { ObjectRef } from './agent-resolver.js';

/**
 * True when the agent is known: a row in the database (written by the reconciler) or an Agent
 * resource in the cluster (not reconciled yet).
 */
export async function agentKnown(ctx: ApiContext, ref: ObjectRef): Promise<boolean> {
  if ((await ctx.repositories.agents.get(agentDbId(ref))) !== undefined) return true;
  return (await ctx.resources.get({ kind: 'Agent', ...ref })) !== undefined;
}
