import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { ApiError } from '../api-error.js';
import { respond } from '../respond.js';
import { userIdentity } from '../user-identity.js';
import { validate } from '../validate.js';
import { fromJsonText } from '../wire/json-text.js';
import { taskDocument } from '../wire/task-wire.js';
import { toV03Task } from '../wire/v03-task.js';

const required = z.string({ error: 'is required' }).min(1, 'must not be empty').max(256);

/** Our runtime's form: the task document (JSON, or JSON text) wrapped with its ids. */
const recordSchema = z.object({
  id: required,
  session_id: required,
  data: z
    .unknown()
    .refine((v) => v !== undefined && v !== null, 'is required')
    .transform(fromJsonText)
    .refine((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'must be an A2A task object'),
  /** The A2A version the document follows; informative, any form is accepted and normalised. */
  protocol_version: z.enum(['0.3', '1.0']).optional(),
});

/** kagent's form: the A2A Task itself, its session being the `contextId`. */
const a2aTaskSchema = z.looseObject({
  id: z.string().max(256).optional(),
  contextId: required,
});

function taskId(req: Request): string {
  return String(req.params['id']);
}

/** A2A tasks stored by the agent runtimes. */
export function taskRoutes(ctx: ApiContext): Router {
  const router = Router();
  const { tasks } = ctx.repositories;

  /** The user scope of a task call: only a user the request names. */
  const scope = (req: Request): { userId?: string } => {
    const user = userIdentity(req, ctx.defaultUserId);
    return user.explicit ? { userId: user.id } : {};
  };

  /**
   * Stores the task as A2A v0.3 JSON (what kagent's runtime writes and its UI reads): a document
   * in the 1.0 SDK's form is converted first, so `protocol_version` is always `0.3`.
   */
  router.post('/api/tasks', async (req, res) => {
    const raw: unknown = req.body;
    const isRecord = typeof raw === 'object' && raw !== null && 'session_id' in raw;
    let input: { id: string; sessionId: string; data: unknown };
    if (isRecord) {
      const body = validate(recordSchema, raw);
      input = { id: body.id, sessionId: body.session_id, data: body.data };
    } else {
      const body = validate(a2aTaskSchema, raw);
      const id = body.id !== undefined && body.id !== '' ? body.id : crypto.randomUUID();
      input = { id, sessionId: body.contextId, data: { ...body, id } };
    }
    const stored = await tasks.upsert({
      ...input,
      data: toV03Task(input.data, { id: input.id, contextId: input.sessionId }),
      protocolVersion: '0.3',
      userId: scope(req).userId ?? null,
    });
    if (!stored.ok) throw new ApiError('CONFLICT', `task ${input.id} belongs to another user`);
    respond(res, 201, taskDocument(stored.value), 'Successfully created task');
  });

  router.get('/api/tasks/:id', async (req, res) => {
    const task = await tasks.get(taskId(req), scope(req));
    if (!task) throw ApiError.notFound(`task ${taskId(req)}`);
    respond(res, 200, taskDocument(task), 'Successfully retrieved task');
  });

  router.delete('/api/tasks/:id', async (req, res) => {
    const deleted = await tasks.softDelete(taskId(req), scope(req));
    if (!deleted) throw ApiError.notFound(`task ${taskId(req)}`);
    res.status(204).end();
  });

  return router;
}
