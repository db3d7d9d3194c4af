import type { Response } from 'express';

/**
 * kagent's response envelope: `{ error: false, data, message }`. `data` is always present (an
 * empty list stays `[]`; kagent drops empty lists, which its own UI then mistakes for a failure).
 */
export function respond(res: Response, status: number, data: unknown, message: string): void {
  res.status(status).json({ error: false, data, message });
}
