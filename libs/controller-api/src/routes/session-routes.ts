import { MAX_EVENT_PAGE, type EventRecord } from '@agentplane/db';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { isWatched, type ApiContext } from '../api-context.js';
import { ApiError } from '../api-error.js';
import { agentDbId, formatRef, parseRef } from '../agent-id.js';
import { agentKnown } from '../agent-lookup.js';
import type { ObjectRef } from '../agent-resolver.js';
import { respond } from '../respond.js';
import { userIdentity } from '../user-identity.js';
import { validate } from '../validate.js';
import { fromJsonText } from '../wire/json-text.js';
import { eventWire, sessionWire } from '../wire/session-wire.js';
import { taskDocument } from '../wire/task-wire.js';

const nonEmpty = z.string().min(1, 'must not be empty');

const createSessionSchema = z.object({
  id: z.string().optional(),
  name: z.string().nullish(),
  agent_ref: z.string({ error: 'is required' }).min(1, 'is required'),
  source: z.string().nullish(),
});

const updateSessionSchema = z
  .object({ name: z.string().nullish(), agent_ref: z.string().min(1).optional() })
  .refine((b) => b.name !== undefined || b.agent_ref !== undefined, {
    message: 'give name or agent_ref',
    path: ['name'],
  });

const appendEventSchema = z.object({
  id: nonEmpty.max(256),
  data: z.unknown().refine((v) => v !== undefined && v !== null, 'is required'),
});

const eventQuerySchema = z.object({
  limit: z.coerce.number().int('must be an integer').optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time' }).optional(),
});

function sessionId(req: Request): string {
  return String(req.params['id']);
}

/** Resolves `agent_ref` to a known agent, or fails with a 400 naming the field. */
async function agentFromRef(ctx: ApiContext, ref: string): Promise<ObjectRef> {
  const parsed = parseRef(ref, ctx.defaultNamespace);
  if (!parsed) throw ApiError.invalidField('agent_ref', 'must be namespace/name');
  if (!isWatched(ctx, parsed.namespace) || !(await agentKnown(ctx, parsed))) {
    throw ApiError.invalidField('agent_ref', `agent ${formatRef(parsed)} not found`);
  }
  return parsed;
}

/** Every event of the session in the order asked for, up to `limit` (all when not positive). */
async function listEvents(
  ctx: ApiContext,
  key: { sessionId: string; userId: string },
  options: { limit: number; order: 'asc' | 'desc'; since?: Date },
): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const want = options.limit > 0 ? Math.min(options.limit - out.length, MAX_EVENT_PAGE) : MAX_EVENT_PAGE;
    const page = await ctx.repositories.events.list({
      ...key,
      limit: want,
      order: options.order,
      ...(cursor !== undefined ? { cursor } : {}),
      ...(options.since ? { since: options.since } : {}),
    });
    out.push(...page.events);
    if (page.nextCursor === undefined || (options.limit > 0 && out.length >= options.limit)) return out;
    cursor = page.nextCursor;
  }
}

/** Sessions (per user), their events and tasks. */
export function sessionRoutes(ctx: ApiContext): Router {
  const router = Router();
  const { sessions, events, tasks } = ctx.repositories;

  router.get('/api/sessions', async (req, res) => {
    const user = userIdentity(req, ctx.defaultUserId);
    const list = await sessions.list({ userId: user.id });
    respond(res, 200, list.map(sessionWire), 'Successfully listed sessions');
  });

  router.post('/api/sessions', async (req, res) => {
    const body = validate(createSessionSchema, req.body);
    const user = userIdentity(req, ctx.defaultUserId);
    const agent = await agentFromRef(ctx, body.agent_ref);
    const id = body.id !== undefined && body.id !== '' ? body.id : crypto.randomUUID();
    const created = await sessions.create({
      id,
      userId: user.id,
      agentId: agentDbId(agent),
      name: body.name ?? null,
      source: body.source ?? null,
    });
    if (!created.ok) throw new ApiError('CONFLICT', `session ${id} already exists`);
    respond(res, 201, sessionWire(created.value), 'Successfully created session');
  });

  router.get('/api/sessions/agent/:namespace/:name', async (req, res) => {
    const user = userIdentity(req, ctx.defaultUserId);
    const ref = { namespace: String(req.params['namespace']), name: String(req.params['name']) };
    if (!isWatched(ctx, ref.namespace) || !(await agentKnown(ctx, ref))) {
      throw ApiError.notFound(`agent ${formatRef(ref)}`);
    }
    const list = await sessions.list({ userId: user.id, agentId: agentDbId(ref) });
    respond(res, 200, list.map(sessionWire), 'Successfully listed sessions');
  });

  router.get('/api/sessions/:id', async (req, res) => {
    const user = userIdentity(req, ctx.defaultUserId);
    const query = validate(eventQuerySchema, req.query);
    const session = await sessions.get({ id: sessionId(req), userId: user.id });
    if (!session) throw ApiError.notFound(`session ${sessionId(req)}`);
    const list = await listEvents(
      ctx,
      { sessionId: session.id, userId: user.id },
      {
        limit: query.limit ?? 0,
        // kagent lists newest first unless asked for `order=asc`.
        order: query.order ?? 'desc',
        ...(query.after !== undefined ? { since: new Date(query.after) } : {}),
      },
    );
    respond(
      res,
      200,
      { session: sessionWire(session), events: list.map(eventWire) },
      'Successfully retrieved session',
    );
  });

  router.put('/api/sessions/:id', async (req, res) => {
    const body = validate(updateSessionSchema, req.body);
    const user = userIdentity(req, ctx.defaultUserId);
    const agent = body.agent_ref !== undefined ? await agentFromRef(ctx, body.agent_ref) : undefined;
    const updated = await sessions.update({
      id: sessionId(req),
      userId: user.id,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(agent ? { agentId: agentDbId(agent) } : {}),
    });
    if (!updated.ok) throw ApiError.notFound(`session ${sessionId(req)}`);
    respond(res, 200, sessionWire(updated.value), 'Successfully updated session');
  });

  router.delete('/api/sessions/:id', async (req, res) => {
    const user = userIdentity(req, ctx.defaultUserId);
    const deleted = await sessions.softDelete({ id: sessionId(req), userId: user.id });
    if (!deleted) throw ApiError.notFound(`session ${sessionId(req)}`);
    respond(res, 200, {}, 'Session deleted successfully');
  });

  router.get('/api/sessions/:id/tasks', async (req, res) => {
    const user = userIdentity(req, ctx.defaultUserId);
    const session = await sessions.get({ id: sessionId(req), userId: user.id });
    if (!session) throw ApiError.notFound(`session ${sessionId(req)}`);
    const list = await tasks.listBySession(session.id, { userId: user.id });
    respond(res, 200, list.map(taskDocument), 'Successfully retrieved session tasks');
  });

  router.post('/api/sessions/:id/events', async (req, res) => {
    const body = validate(appendEventSchema, req.body);
    const user = userIdentity(req, ctx.defaultUserId);
    const appended = await events.append({
      id: body.id,
      userId: user.id,
      sessionId: sessionId(req),
      data: fromJsonText(body.data),
    });
    if (!appended.ok) {
      if (appended.reason === 'already_exists')
        throw new ApiError('CONFLICT', `event ${body.id} already exists`);
      throw ApiError.notFound(`session ${sessionId(req)}`);
    }
    respond(res, 201, eventWire(appended.value), 'Event added to session successfully');
  });

  return router;
}
