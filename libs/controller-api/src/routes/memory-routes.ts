import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import type { MemoryRecord } from '../memory-store.js';
import { respond } from '../respond.js';
import { userIdentity } from '../user-identity.js';
import { validate } from '../validate.js';

const querySchema = z.object({
  agent_name: z.string({ error: 'is required' }).min(1, 'is required'),
});

function memoryWire(memory: MemoryRecord): Record<string, unknown> {
  return {
    id: memory.id,
    agent_name: memory.agentName,
    user_id: memory.userId,
    content: memory.content,
    metadata: typeof memory.metadata === 'string' ? memory.metadata : JSON.stringify(memory.metadata ?? {}),
    created_at: memory.createdAt.toISOString(),
    ...(memory.expiresAt ? { expires_at: memory.expiresAt.toISOString() } : {}),
    access_count: memory.accessCount,
  };
}

/** An agent's long-term memories for the caller (`?agent_name=`); none without a memory store. */
export function memoryRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/api/memories', async (req, res) => {
    const query = validate(querySchema, req.query);
    const user = userIdentity(req, ctx.defaultUserId);
    const list = ctx.memories
      ? await ctx.memories.list({ agentName: query.agent_name, userId: user.id })
      : [];
    respond(res, 200, list.map(memoryWire), 'Successfully listed memories');
  });
  router.delete('/api/memories', async (req, res) => {
    const query = validate(querySchema, req.query);
    const user = userIdentity(req, ctx.defaultUserId);
    const deleted = ctx.memories
      ? await ctx.memories.delete({ agentName: query.agent_name, userId: user.id })
      : 0;
    respond(res, 200, { deleted }, 'Successfully deleted memories');
  });
  return router;
}
