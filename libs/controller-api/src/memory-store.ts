/** One long-term memory of an agent for a user (kagent's optional pgvector `memory` table). */
export interface MemoryRecord {
  id: string;
  agentName: string;
  userId: string;
  content: string;
  metadata: unknown;
  createdAt: Date;
  expiresAt: Date | null;
  accessCount: number;
}

export interface MemoryQuery {
  /** The agent (`namespace/name` as the runtime records it). */
  agentName: string;
  userId: string;
}

/** Where agent memories live, when the platform keeps any. Without one the API lists none. */
export interface MemoryStore {
  list(query: MemoryQuery): Promise<MemoryRecord[]>;
  /** Deletes the user's memories of the agent; returns how many. */
  delete(query: MemoryQuery): Promise<number>;
}
