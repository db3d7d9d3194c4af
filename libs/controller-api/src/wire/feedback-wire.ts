import type { FeedbackRecord } from '@agentplane/db';

/** kagent's `Feedback` JSON (gorm.Model fields in their JSON names). */
export interface FeedbackWire {
  ID: number;
  CreatedAt: string;
  UpdatedAt: string;
  DeletedAt: null;
  user_id: string;
  message_id: string | null;
  is_positive: boolean;
  feedback_text: string;
  issue_type?: string;
}

export function feedbackWire(feedback: FeedbackRecord): FeedbackWire {
  const at = feedback.createdAt.toISOString();
  return {
    ID: feedback.id,
    CreatedAt: at,
    UpdatedAt: at,
    DeletedAt: null,
    user_id: feedback.userId,
    message_id: feedback.messageId,
    is_positive: feedback.isPositive,
    feedback_text: feedback.feedbackText,
    ...(feedback.issueType !== null ? { issue_type: feedback.issueType } : {}),
  };
}
