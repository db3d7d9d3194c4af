// The session stores alone, for a process that picks one at startup without loading the tool loop.
export { InMemorySessionStore } from './in-memory-session-store.js';
export type { InMemorySessionStoreOptions } from './in-memory-session-store.js';
export { ControllerSessionStore } from './controller-session-store.js';
export type { ControllerSessionStoreOptions } from './controller-session-store.js';
export type { SessionRef, SessionStore, TaskRecordStore } from './session-store.js';
export { SessionStoreError } from './store-error.js';
