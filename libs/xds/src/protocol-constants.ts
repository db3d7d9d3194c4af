/**
 * `system_version_info` of a response that is not the last of a split push ends with this, so a
 * client knows a type is complete only after the last part. Servers that never split never send it.
 */
export const PARTIAL_VERSION_SUFFIX = '+partial';

/** The default ceiling of one response, under grpc-js's default 4 MiB receive limit. */
export const DEFAULT_MAX_RESPONSE_BYTES = 3 * 1024 * 1024;
