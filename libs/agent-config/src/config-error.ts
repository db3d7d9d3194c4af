/** Why a config file could not be used. */
export type ConfigErrorCode = 'CONFIG_NOT_FOUND' | 'CONFIG_NOT_JSON' | 'CONFIG_INVALID';

/** A config file is missing, is not JSON, or breaks the schema. The message names the file and field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    /** Field paths at fault, e.g. `model.type`; empty when the whole file is at fault. */
    readonly fields: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
