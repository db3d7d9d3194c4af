import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDatabase } from '../testing/engines.js';
import { engines } from '../testing/engines.js';
import type { FeedbackRepository } from './feedback-repository.js';
import { createFeedbackRepository } from './feedback-repository.js';

describe.each(engines(process.env.DATABASE_URL))('feedback on $name', (engine) => {
  let handle: EngineDatabase;
  let feedback: FeedbackRepository;
  beforeAll(async () => {
    handle = await engine.open();
    feedback = createFeedbackRepository(handle.db);
  });
  afterAll(() => handle.dispose());

  it('creates feedback with a numeric id and lists it newest first, per user', async () => {
    const a = await feedback.create({
      userId: 'alice',
      messageId: '42',
      isPositive: true,
      feedbackText: 'great',
    });
    expect(a).toMatchObject({
      userId: 'alice',
      messageId: '42',
      isPositive: true,
      feedbackText: 'great',
      issueType: null,
    });
    expect(typeof a.id).toBe('number');
    const b = await feedback.create({
      userId: 'bob',
      isPositive: false,
      feedbackText: 'wrong tool',
      issueType: 'tool',
    });
    const c = await feedback.create({
      userId: 'alice',
      messageId: '43',
      isPositive: false,
      feedbackText: '',
      issueType: 'other',
    });
    expect(b.id).toBeGreaterThan(a.id);

    expect((await feedback.list()).map((f) => f.id)).toEqual([c.id, b.id, a.id]);
    expect((await feedback.list({ userId: 'alice' })).map((f) => f.feedbackText)).toEqual(['', 'great']);
    expect((await feedback.list({ userId: 'alice', limit: 1 })).map((f) => f.id)).toEqual([c.id]);
    expect(await feedback.list({ userId: 'nobody' })).toEqual([]);
  });
});
