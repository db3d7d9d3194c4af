import { Router } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../api-context.js';
import { respond } from '../respond.js';
import { userIdentity } from '../user-identity.js';
import { validate } from '../validate.js';
import { feedbackWire } from '../wire/feedback-wire.js';

const createSchema = z.object({
  message_id: z.union([z.string(), z.number()]).nullish(),
  is_positive: z.boolean({ error: 'is required and must be true or false' }),
  feedback_text: z.string({ error: 'is required' }).max(10_000),
  issue_type: z.enum(['instructions', 'factual', 'incomplete', 'tool', 'other']).nullish(),
});

/** Users' ratings of agent messages. */
export function feedbackRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/api/feedback', async (req, res) => {
    const body = validate(createSchema, req.body);
    const user = userIdentity(req, ctx.defaultUserId);
    const created = await ctx.repositories.feedback.create({
      userId: user.id,
      messageId: body.message_id === undefined || body.message_id === null ? null : String(body.message_id),
      isPositive: body.is_positive,
      feedbackText: body.feedback_text,
      issueType: body.issue_type ?? null,
    });
    respond(res, 201, feedbackWire(created), 'Feedback submitted successfully');
  });
  router.get('/api/feedback', async (req, res) => {
    const user = userIdentity(req, ctx.defaultUserId);
    const list = await ctx.repositories.feedback.list({ userId: user.id });
    respond(res, 200, list.map(feedbackWire), 'Successfully listed feedback');
  });
  return router;
}
