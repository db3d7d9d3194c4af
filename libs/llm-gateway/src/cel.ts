// CEL expressions over the LLM request (model-name transformations such as
// `llmRequest.model.stripPrefix("anthropic/")`), on the same CEL library as the gateway's
// authorization rules.
import { Environment } from '@marcbachmann/cel-js';

function celEnvironment(): Environment {
  return new Environment({ unlistedVariablesAreDyn: true })
    .registerFunction('string.stripPrefix(string): string', (s: string, p: string) =>
      s.startsWith(p) ? s.slice(p.length) : s,
    )
    .registerFunction('string.stripSuffix(string): string', (s: string, p: string) =>
      p !== '' && s.endsWith(p) ? s.slice(0, -p.length) : s,
    );
}

let shared: Environment | undefined;

export type CelProgram = (vars: Record<string, unknown>) => unknown;

/** Compiles and type-checks an expression; throws on a syntax or type error (reported at config load). */
export function compileCel(expression: string): CelProgram {
  shared ??= celEnvironment();
  const program = shared.parse(expression);
  const checked = program.check();
  if (!checked.valid) throw new Error(firstLine(checked.error?.message ?? 'invalid expression'));
  return (vars) => program(vars) as unknown;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
