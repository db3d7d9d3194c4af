export {
  createLlmHandlerFactory,
  type LlmHandlerFactory,
  type LlmHandlerFactoryOptions,
} from './llm-handler-factory.js';
export { LlmBackendHandler, type LlmHandlerOptions } from './llm-handler.js';
export { LlmMetrics } from './llm-metrics.js';
export { compileBackend, findRoute, type CompiledBackend, type ModelRoute } from './compile-backend.js';
export { LlmGatewayError } from './errors.js';
export {
  loadModelCatalog,
  ModelCatalog,
  type CostBreakdown,
  type LoadModelCatalogOptions,
} from './cost/model-catalog.js';
