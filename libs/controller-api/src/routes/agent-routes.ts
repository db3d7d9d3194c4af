import { parseAgent } from '@agentplane/crds/kagent';
import { Router, type Request } from 'express';
import { isWatched, type ApiContext } from '../api-context.js';
import { ApiError } from '../api-error.js';
import { formatRef } from '../agent-id.js';
import type { ObjectRef } from '../agent-resolver.js';
import { resourceFromBody } from '../resource-body.js';
import { applyResource } from '../apply-resource.js';
import { respond } from '../respond.js';
import { agentWire } from '../wire/agent-wire.js';

function pathRef(req: Request): ObjectRef {
  return { namespace: String(req.params['namespace']), name: String(req.params['name']) };
}

/** Agents: read from the cluster, written as Agent resources through the resource store. */
export function agentRoutes(ctx: ApiContext): Router {
  const router = Router();
  const { resources } = ctx;

  router.get('/api/agents', async (_req, res) => {
    const agents = (await resources.list('Agent')).filter((a) => isWatched(ctx, a.metadata.namespace));
    const out = await Promise.all(agents.map((a) => agentWire(resources, a)));
    respond(res, 200, out, 'Successfully listed agents');
  });

  router.get('/api/agents/:namespace/:name', async (req, res) => {
    const ref = pathRef(req);
    const agent = isWatched(ctx, ref.namespace) ? await resources.get({ kind: 'Agent', ...ref }) : undefined;
    if (!agent) throw ApiError.notFound(`agent ${formatRef(ref)}`);
    respond(res, 200, await agentWire(resources, agent), 'Successfully retrieved agent');
  });

  router.post('/api/agents', async (req, res) => {
    const agent = resourceFromBody('Agent', req.body, parseAgent, ctx.defaultNamespace);
    const stored = await applyResource(ctx, agent, { createOnly: true });
    respond(res, 201, await agentWire(resources, stored), 'Successfully created agent');
  });

  router.put('/api/agents', async (req, res) => {
    const agent = resourceFromBody('Agent', req.body, parseAgent, ctx.defaultNamespace);
    const stored = await applyResource(ctx, agent, { mustExist: true });
    respond(res, 200, await agentWire(resources, stored), 'Successfully updated agent');
  });

  router.delete('/api/agents/:namespace/:name', async (req, res) => {
    const ref = pathRef(req);
    const deleted = isWatched(ctx, ref.namespace) && (await resources.delete({ kind: 'Agent', ...ref }));
    if (!deleted) throw ApiError.notFound(`agent ${formatRef(ref)}`);
    respond(res, 200, {}, 'Successfully deleted agent');
  });

  return router;
}
