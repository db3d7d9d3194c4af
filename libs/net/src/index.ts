// The public surface of @agentplane/net (curated; see README.md).
export { findFreePort } from './free-port.js';
export { listenHttp } from './listen-http.js';
export type { HttpListener, ListenHttpOptions } from './listen-http.js';
