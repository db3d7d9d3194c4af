/** Codes of the errors this library throws. */
export type XdsErrorCode =
  | 'XDS_UNAUTHENTICATED'
  | 'XDS_PERMISSION_DENIED'
  | 'XDS_UNKNOWN_TYPE'
  | 'XDS_INVALID_RESOURCE'
  | 'XDS_CLOSED'
  | 'XDS_PROTO_LOAD_FAILED';

/** Base class of every error of @agentplane/xds. */
export class XdsError extends Error {
  readonly code: XdsErrorCode;

  constructor(code: XdsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'XdsError';
    this.code = code;
  }
}

/** An authenticator rejected a client: the stream ends with gRPC status UNAUTHENTICATED. */
export class XdsAuthenticationError extends XdsError {
  constructor(message: string, options?: ErrorOptions) {
    super('XDS_UNAUTHENTICATED', message, options);
    this.name = 'XdsAuthenticationError';
  }
}

/** An authenticated client asked for a gateway it may not read: status PERMISSION_DENIED. */
export class XdsPermissionDeniedError extends XdsError {
  constructor(message: string, options?: ErrorOptions) {
    super('XDS_PERMISSION_DENIED', message, options);
    this.name = 'XdsPermissionDeniedError';
  }
}

/** A resource could not be encoded or decoded, or failed validation. */
export class XdsInvalidResourceError extends XdsError {
  constructor(message: string, options?: ErrorOptions) {
    super('XDS_INVALID_RESOURCE', message, options);
    this.name = 'XdsInvalidResourceError';
  }
}

/** A type URL has no registered message schema. */
export class XdsUnknownTypeError extends XdsError {
  constructor(typeUrl: string) {
    super('XDS_UNKNOWN_TYPE', `no message type registered for ${typeUrl}`);
    this.name = 'XdsUnknownTypeError';
  }
}
