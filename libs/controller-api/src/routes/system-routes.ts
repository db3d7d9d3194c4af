import { Router } from 'express';
import type { ApiContext } from '../api-context.js';
import { userIdentity } from '../user-identity.js';

/** `GET /health`, `GET /version`, `GET /api/me`. */
export function systemRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/version', (_req, res) => {
    res.json({
      kagent_version: ctx.version.version,
      git_commit: ctx.version.gitCommit,
      build_date: ctx.version.buildDate,
    });
  });
  router.get('/api/me', (req, res) => {
    // kagent answers with the principal's claims, or `{ sub }` without a token.
    res.json({ sub: userIdentity(req, ctx.defaultUserId).id });
  });
  return router;
}
