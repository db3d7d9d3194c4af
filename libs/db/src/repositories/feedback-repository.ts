import type { SqlExecutor } from '../sql-executor.js';

/** A user's rating of an agent's message. */
export interface FeedbackRecord {
  id: number;
  userId: string;
  /** The rated message. */
  messageId: string | null;
  isPositive: boolean;
  feedbackText: string;
  /** kagent's issue types (`instructions`, `factual`, `incomplete`, `tool`, `other`) or null. */
  issueType: string | null;
  createdAt: Date;
}

export interface CreateFeedbackInput {
  userId: string;
  messageId?: string | null;
  isPositive: boolean;
  feedbackText: string;
  issueType?: string | null;
}

export interface ListFeedbackOptions {
  /** Only this user's feedback. Default: everyone's. */
  userId?: string;
  /** At most this many, newest first. Default: all. */
  limit?: number;
}

interface FeedbackRow {
  id: string | number;
  user_id: string;
  message_id: string | null;
  is_positive: boolean;
  feedback_text: string;
  issue_type: string | null;
  created_at: Date;
}

const COLUMNS = 'id, user_id, message_id, is_positive, feedback_text, issue_type, created_at';

function toFeedback(row: FeedbackRow): FeedbackRecord {
  return {
    id: Number(row.id),
    userId: row.user_id,
    messageId: row.message_id,
    isPositive: row.is_positive,
    feedbackText: row.feedback_text,
    issueType: row.issue_type,
    createdAt: row.created_at,
  };
}

export interface FeedbackRepository {
  create(input: CreateFeedbackInput): Promise<FeedbackRecord>;
  /** Newest first. */
  list(options?: ListFeedbackOptions): Promise<FeedbackRecord[]>;
}

export function createFeedbackRepository(db: SqlExecutor): FeedbackRepository {
  return {
    async create(input) {
      const { rows } = await db.query<FeedbackRow>(
        `INSERT INTO feedback (user_id, message_id, is_positive, feedback_text, issue_type)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [
          input.userId,
          input.messageId ?? null,
          input.isPositive,
          input.feedbackText,
          input.issueType ?? null,
        ],
      );
      return toFeedback(rows[0]!);
    },
    async list(options = {}) {
      const params: unknown[] = [];
      let where = '';
      if (options.userId !== undefined) {
        params.push(options.userId);
        where = ' WHERE user_id = $1';
      }
      let limit = '';
      if (options.limit !== undefined) {
        params.push(Math.max(0, Math.floor(options.limit)));
        limit = ` LIMIT $${params.length}`;
      }
      const { rows } = await db.query<FeedbackRow>(
        `SELECT ${COLUMNS} FROM feedback${where} ORDER BY created_at DESC, id DESC${limit}`,
        params,
      );
      return rows.map(toFeedback);
    },
  };
}
