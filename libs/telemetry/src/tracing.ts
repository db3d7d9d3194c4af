import { createRequire } from 'node:module';
import type * as Api from '@opentelemetry/api';
import type { Context, TextMapPropagator, Tracer } from '@opentelemetry/api';
import type * as ContextAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as Core from '@opentelemetry/core';
import type * as OtlpGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkTrace from '@opentelemetry/sdk-trace';
import type * as SemanticConventions from '@opentelemetry/semantic-conventions';
import type * as GrpcJs from '@grpc/grpc-js';

// OpenTelemetry is loaded by `initTracing()` (the API, the propagators and, with an endpoint, the
// SDK) and an OTLP exporter with its transport on the first export, so a process that never
// calls it loads none of it. `require` keeps `initTracing()` synchronous, so each package comes
// from its CommonJS build, one copy of each. Code elsewhere that imports `@opentelemetry/api` as
// an ES module gets a second copy of the API; both share the process-wide globals (tracer
// provider, propagator, context manager) through the API's global registry, as designed.
const load = createRequire(import.meta.url);

export interface InitTracingOptions {
  /** `service.name` of every span. */
  serviceName: string;
  /** `service.version` of every span. */
  serviceVersion?: string;
  /**
   * OTLP/HTTP collector endpoint. Either a base URL (`http://collector:4318`, to which
   * `/v1/traces` is appended) or the full traces URL (ending in `/v1/traces`). Without it
   * tracing is off: spans are not recorded and nothing is sent.
   */
  otlpEndpoint?: string;
  /**
   * `http` (default): OTLP/HTTP to `otlpEndpoint` as above. `grpc`: OTLP/gRPC to `otlpEndpoint`
   * (`http://collector:4317`; `https://` for TLS), the gRPC client loaded on the first export.
   */
  otlpProtocol?: 'http' | 'grpc';
  /** Headers sent with every export request (e.g. an API key of the tracing backend). */
  otlpHeaders?: Record<string, string>;
  /** Fraction (0..1) of new traces to sample; children follow their parent's decision. Default 1. */
  sampleRatio?: number;
  /** More resource attributes (e.g. `k8s.pod.name`). */
  resourceAttributes?: Record<string, string | number | boolean>;
  /**
   * Register the tracer provider, the W3C propagator and an AsyncLocalStorage context manager as
   * the process-wide OpenTelemetry globals, so libraries using `@opentelemetry/api` take part.
   * Default true. `shutdown()` unregisters them again.
   */
  registerGlobals?: boolean;
  /** Delay between two batch exports, in ms. Default 5000. */
  exportIntervalMillis?: number;
  /** Timeout of one export request, in ms. Default 10000. */
  exportTimeoutMillis?: number;
}

/** What {@link initTracing} returns. */
export interface Tracing {
  /** Whether spans are recorded and exported. */
  readonly enabled: boolean;
  /** Tracer named after the service. No-op when tracing is off. */
  readonly tracer: Tracer;
  /** W3C `traceparent`/`tracestate` and `baggage` propagator. */
  readonly propagator: TextMapPropagator;
  /** Writes the trace context of `ctx` (default: the active one) into outgoing headers. */
  inject(carrier: Record<string, string>, ctx?: Context): void;
  /** Reads a trace context from incoming headers, on top of `ctx` (default: the active one). */
  extract(carrier: Record<string, string | string[] | undefined>, ctx?: Context): Context;
  /** Sends every finished span now. */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the globals. Safe to call twice. */
  shutdown(): Promise<void>;
}

const setter = {
  set(carrier: Record<string, string>, key: string, value: string): void {
    carrier[key] = value;
  },
};

const getter = {
  keys(carrier: Record<string, string | string[] | undefined>): string[] {
    return Object.keys(carrier);
  },
  get(carrier: Record<string, string | string[] | undefined>, key: string): string | string[] | undefined {
    const direct = carrier[key];
    if (direct !== undefined) return direct;
    const lower = key.toLowerCase();
    const found = Object.keys(carrier).find((k) => k.toLowerCase() === lower);
    return found === undefined ? undefined : carrier[found];
  },
};

/** Resolves the OTLP/HTTP traces URL from a base endpoint or a full traces URL. */
export function otlpTracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (!url.pathname.endsWith('/v1/traces')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  }
  return url.toString();
}

function w3cPropagator(): TextMapPropagator {
  const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = load(
    '@opentelemetry/core',
  ) as typeof Core;
  return new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
}

/**
 * Sets up OpenTelemetry tracing with an OTLP/HTTP (JSON) or OTLP/gRPC exporter. Off unless
 * `otlpEndpoint` is given; then the returned handle's tracer is a no-op, `shutdown()` does
 * nothing and the SDK is not loaded.
 */
export function initTracing(options: InitTracingOptions): Tracing {
  const { context, propagation, trace } = load('@opentelemetry/api') as typeof Api;
  const propagator = w3cPropagator();
  const inject = (carrier: Record<string, string>, ctx: Context = context.active()): void => {
    propagator.inject(ctx, carrier, setter);
  };
  const extract = (
    carrier: Record<string, string | string[] | undefined>,
    ctx: Context = context.active(),
  ): Context => propagator.extract(ctx, carrier, getter);

  if (!options.otlpEndpoint) {
    return {
      enabled: false,
      tracer: trace.getTracer(options.serviceName, options.serviceVersion),
      propagator,
      inject,
      extract,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }

  const ratio = options.sampleRatio ?? 1;
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`sampleRatio must be within 0..1, got ${ratio}`);

  const {
    AlwaysOnSampler,
    BatchSpanProcessor,
    ParentBasedSampler,
    TraceIdRatioBasedSampler,
    TracerProvider,
  } = load('@opentelemetry/sdk-trace') as typeof SdkTrace;
  const { defaultResource, resourceFromAttributes } = load('@opentelemetry/resources') as typeof Resources;
  const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = load(
    '@opentelemetry/semantic-conventions',
  ) as typeof SemanticConventions;

  const endpoint = options.otlpEndpoint;
  const headers = { ...options.otlpHeaders };
  const timeoutMillis = options.exportTimeoutMillis ?? 10_000;
  const exporter =
    options.otlpProtocol === 'grpc'
      ? new LazyExporter(() => {
          const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-grpc') as typeof OtlpGrpc;
          const { Metadata } = load('@grpc/grpc-js') as typeof GrpcJs;
          const metadata = new Metadata();
          for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
          return new OTLPTraceExporter({ url: endpoint, metadata, timeoutMillis });
        })
      : new LazyExporter(() => {
          const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
          return new OTLPTraceExporter({ url: otlpTracesUrl(endpoint), headers, timeoutMillis });
        });
  const resource = defaultResource().merge(
    resourceFromAttributes({
      ...options.resourceAttributes,
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
  );
  const provider = new TracerProvider({
    resource,
    sampler: new ParentBasedSampler({
      root: ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio),
    }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: options.exportIntervalMillis ?? 5_000,
        exportTimeoutMillis: options.exportTimeoutMillis ?? 10_000,
      }),
    ],
  });

  const registered = { provider: false, propagator: false, context: false };
  if (options.registerGlobals ?? true) {
    const { AsyncLocalStorageContextManager } = load(
      '@opentelemetry/context-async-hooks',
    ) as typeof ContextAsyncHooks;
    const contextManager = new AsyncLocalStorageContextManager();
    contextManager.enable();
    registered.context = context.setGlobalContextManager(contextManager);
    if (!registered.context) contextManager.disable();
    registered.propagator = propagation.setGlobalPropagator(propagator);
    registered.provider = trace.setGlobalTracerProvider(provider);
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await provider.shutdown();
      } finally {
        if (registered.provider) trace.disable();
        if (registered.propagator) propagation.disable();
        if (registered.context) context.disable();
      }
    })();
    return stopping;
  };

  return {
    enabled: true,
    tracer: provider.getTracer(options.serviceName, options.serviceVersion),
    propagator,
    inject,
    extract,
    forceFlush: () => provider.forceFlush(),
    shutdown,
  };
}

/**
 * An OTLP exporter created on the first export: its package and transport (the OTLP/HTTP
 * exporter, or the gRPC one with grpc-js) are loaded only once there is something to send.
 */
class LazyExporter implements SdkTrace.SpanExporter {
  #exporter: SdkTrace.SpanExporter | undefined;

  constructor(private readonly create: () => SdkTrace.SpanExporter) {}

  export(spans: SdkTrace.ReadableSpan[], resultCallback: (result: Core.ExportResult) => void): void {
    try {
      this.#exporter ??= this.create();
    } catch (error) {
      // ExportResultCode.FAILED
      resultCallback({ code: 1, error: error instanceof Error ? error : new Error(String(error)) });
      return;
    }
    this.#exporter.export(spans, resultCallback);
  }

  async shutdown(): Promise<void> {
    await this.#exporter?.shutdown();
  }

  async forceFlush(): Promise<void> {
    await this.#exporter?.forceFlush?.();
  }
}
