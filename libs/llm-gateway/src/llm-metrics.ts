// The `agentgateway_gen_ai_*` families (names, types and labels as agentgateway's), plus the cost
// counter `agentgateway_gen_ai_cost_total` (ours: agentgateway has no metric for cost).
import { Counter, Histogram, type Registry } from 'prom-client';

const LABELS = [
  'gen_ai_operation_name',
  'gen_ai_system',
  'gen_ai_request_model',
  'gen_ai_response_model',
] as const;
type Labels = (typeof LABELS)[number];

export class LlmMetrics {
  readonly tokenUsage: Histogram<Labels | 'gen_ai_token_type'>;
  readonly requestDuration: Histogram<Labels>;
  readonly timeToFirstToken: Histogram<Labels>;
  readonly timePerOutputToken: Histogram<Labels>;
  readonly guardrailChecks: Counter<'phase' | 'action' | 'result'>;
  readonly cost: Counter<Labels>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.tokenUsage = new Histogram({
      name: 'agentgateway_gen_ai_client_token_usage',
      help: 'Number of tokens used per LLM request',
      labelNames: [...LABELS, 'gen_ai_token_type'],
      buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'agentgateway_gen_ai_server_request_duration',
      help: 'LLM request duration in seconds',
      labelNames: LABELS,
      buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
      registers,
    });
    this.timeToFirstToken = new Histogram({
      name: 'agentgateway_gen_ai_server_time_to_first_token',
      help: 'Time to the first token of a streamed LLM response in seconds',
      labelNames: LABELS,
      buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
      registers,
    });
    this.timePerOutputToken = new Histogram({
      name: 'agentgateway_gen_ai_server_time_per_output_token',
      help: 'Time per output token of a streamed LLM response in seconds',
      labelNames: LABELS,
      buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5],
      registers,
    });
    this.cost = new Counter({
      name: 'agentgateway_gen_ai_cost_total',
      help: 'Cost of LLM requests from the model price catalog (config.modelCatalog), in its currency',
      labelNames: LABELS,
      registers,
    });
    this.guardrailChecks = new Counter({
      name: 'agentgateway_guardrail_checks_total',
      help: 'Guardrail checks',
      labelNames: ['phase', 'action', 'result'],
      registers,
    });
  }
}
