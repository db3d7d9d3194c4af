/** The controller's version (and the default agent runtime image tag). */
export const VERSION = '0.1.0';

/** The agent runtime image agents run unless `--runtime-image` says otherwise. */
export const DEFAULT_RUNTIME_IMAGE = `ghcr.io/agentplane/agent-runtime:${VERSION}`;
