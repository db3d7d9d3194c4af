import { Router } from 'express';
import { isWatched, type ApiContext } from '../api-context.js';
import { respond } from '../respond.js';

/** `GET /api/namespaces`: the namespaces this controller serves. */
export function namespaceRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/api/namespaces', async (_req, res) => {
    const names = (await ctx.resources.listNamespaces()).filter((n) => isWatched(ctx, n)).sort();
    respond(
      res,
      200,
      names.map((name) => ({ name, status: 'Active' })),
      'Successfully listed namespaces',
    );
  });
  return router;
}
