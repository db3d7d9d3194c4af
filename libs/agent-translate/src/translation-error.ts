/** Why a translation failed; becomes the `reason` of the Agent's `Accepted=False` condition. */
export type TranslationFailureReason =
  | 'InvalidAgent'
  | 'InvalidReference'
  | 'ModelConfigNotFound'
  | 'SecretNotFound'
  | 'SecretKeyNotFound'
  | 'ConfigMapNotFound'
  | 'ConfigMapKeyNotFound'
  | 'ToolServerNotFound'
  | 'AgentNotFound'
  | 'NamespaceNotAllowed'
  | 'AgentToolCycle'
  | 'InvalidPromptTemplate'
  | 'UnsupportedProvider'
  | 'UnsupportedToolKind';

/**
 * An expected translation failure: a missing or invalid reference, or a rule the Agent breaks.
 * `field` is the path in the Agent that leads to the problem; `message` starts with it.
 */
export class TranslationError extends Error {
  override readonly name = 'TranslationError';
  readonly code: TranslationFailureReason;
  readonly field: string;

  constructor(code: TranslationFailureReason, field: string, detail: string, options?: ErrorOptions) {
    super(field ? `${field}: ${detail}` : detail, options);
    this.code = code;
    this.field = field;
  }
}
