import { pino } from 'pino';
import type { DestinationStream, Level, Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';
import type pinoPrettyModule from 'pino-pretty';
import { createSecretRedactor, REDACTED, SECRET_FIELD_NAMES } from './redact-secrets.js';

const requireHere = createRequire(import.meta.url);

/**
 * pino-pretty (and its dependencies) cost about 15 MB of heap once loaded; only development
 * loggers need it, so it is loaded on first use rather than at import.
 */
function loadPinoPretty(): typeof pinoPrettyModule {
  return requireHere('pino-pretty') as typeof pinoPrettyModule;
}

/** The logger every app and lib passes around. Log object first, then message. */
export type Logger = PinoLogger;

/** Log levels accepted by {@link createLogger}. `silent` turns logging off. */
export type LogLevel = Level | 'silent';

export interface CreateLoggerOptions {
  /** Component or app name, printed on every line as `name`. */
  name: string;
  /** Minimum level to print. Default `info`. */
  level?: LogLevel;
  /** Human-readable, colourless lines instead of JSON (local development). Default false. */
  pretty?: boolean;
  /** Where lines go. Default: standard output. */
  destination?: DestinationStream;
  /** More field names to redact at any depth, on top of `SECRET_FIELD_NAMES` (case-insensitive). */
  secretFields?: readonly string[];
  /** Exact paths to redact, in pino path syntax (e.g. `session.sid`). */
  redactPaths?: readonly string[];
  /** Fields added to every line. Default: `pid` and `hostname` as pino prints them. */
  base?: Record<string, unknown>;
}

/**
 * A pino logger with secrets redacted. Use `logger.child({ component: 'xds' })` for each
 * component so lines say where they come from.
 *
 * Secret fields (`SECRET_FIELD_NAMES`, plus `secretFields`) are found by name at any depth of the
 * logged object, the child bindings and serialized errors, in one walk over the object. (pino's
 * wildcard redact paths would do the same at a cost that grows with every level: tens of
 * microseconds per line for four levels, too much for the gateway's request path.)
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const redact = createSecretRedactor(
    options.secretFields ? { fields: [...SECRET_FIELD_NAMES, ...options.secretFields] } : {},
  );
  const serializeError = (err: Error): unknown => redact(pino.stdSerializers.err(err));
  const destination = options.pretty
    ? loadPinoPretty()({
        colorize: false,
        sync: true,
        ...(options.destination ? { destination: options.destination } : {}),
      })
    : options.destination;
  const loggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    ...(options.redactPaths?.length ? { redact: { paths: [...options.redactPaths], censor: REDACTED } } : {}),
    formatters: {
      bindings: (bindings: Record<string, unknown>) => redact(bindings),
      log: (object: Record<string, unknown>) => redact(object),
    },
    serializers: { err: serializeError, error: serializeError },
    ...(options.base ? { base: options.base } : {}),
  };
  const logger = destination ? pino(loggerOptions, destination) : pino(loggerOptions);
  // pino applies the bindings formatter to the root's bindings only; children inherit this
  // wrapper (a pino child is created with the parent as its prototype), so their bindings are
  // redacted as well.
  const pinoChild = Object.getPrototypeOf(logger) as Pick<Logger, 'child'>;
  logger.child = function child(this: Logger, bindings, childOptions) {
    return pinoChild.child.call(this, redact(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
