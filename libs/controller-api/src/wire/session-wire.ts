import type { EventRecord, SessionRecord } from '@agentplane/db';
import { toJsonText } from './json-text.js';

/** kagent's `Session` JSON. */
export interface SessionWire {
  id: string;
  name?: string;
  user_id: string;
  agent_id: string | null;
  source?: string;
  created_at: string;
  updated_at: string;
  deleted_at: null;
}

export function sessionWire(session: SessionRecord): SessionWire {
  return {
    id: session.id,
    ...(session.name !== null ? { name: session.name } : {}),
    user_id: session.userId,
    agent_id: session.agentId,
    ...(session.source !== null ? { source: session.source } : {}),
    created_at: session.createdAt.toISOString(),
    updated_at: session.updatedAt.toISOString(),
    deleted_at: null,
  };
}

/** kagent's `Event` JSON; `data` is the event document as JSON text. */
export interface EventWire {
  id: string;
  session_id: string;
  user_id: string;
  data: string;
  created_at: string;
  updated_at: string;
  deleted_at: null;
}

export function eventWire(event: EventRecord): EventWire {
  return {
    id: event.id,
    session_id: event.sessionId,
    user_id: event.userId,
    data: toJsonText(event.data),
    created_at: event.createdAt.toISOString(),
    updated_at: event.updatedAt.toISOString(),
    deleted_at: null,
  };
}
