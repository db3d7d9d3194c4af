// The test kit's name for `findFreePort` of @agentplane/net.
export { findFreePort as freePort } from '@agentplane/net';
