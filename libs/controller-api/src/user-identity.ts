import type { Request } from 'express';

/** kagent's user when a request names none. */
export const DEFAULT_USER_ID = 'admin@kagent.dev';

export interface UserIdentity {
  id: string;
  /** True when the request named the user (`?user_id=` or `X-User-Id`). */
  explicit: boolean;
}

/** The caller: `?user_id=`, then the `X-User-Id` header, else the default user. */
export function userIdentity(req: Request, defaultUserId: string): UserIdentity {
  const query = req.query['user_id'];
  if (typeof query === 'string' && query !== '') return { id: query, explicit: true };
  const header = req.get('x-user-id');
  if (header !== undefined && header !== '') return { id: header, explicit: true };
  return { id: defaultUserId, explicit: false };
}
