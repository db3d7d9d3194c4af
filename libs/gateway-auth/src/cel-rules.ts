import { BlockList, isIP } from 'node:net';
import { Environment } from '@marcbachmann/cel-js';
import { AuthConfigError } from './credential-location.js';

export interface Rule {
  readonly effect: 'allow' | 'deny' | 'require';
  readonly expression: string;
}

/** The variables rules may read. Absent ones make an expression that reads them fail (= no match). */
export interface RuleVariables {
  request?: Record<string, unknown>;
  source?: Record<string, unknown>;
  jwt?: Record<string, unknown>;
  apiKey?: Record<string, unknown>;
  basicAuth?: Record<string, unknown>;
  mcp?: Record<string, unknown>;
}

/** `cidr("10.0.0.0/8")` values. */
class Cidr {
  private readonly list = new BlockList();
  constructor(text: string) {
    const [addr = '', bits] = text.split('/');
    const family = isIP(addr);
    if (family === 0) throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    this.list.addSubnet(addr, prefix, type);
  }
  contains(ip: string): boolean {
    const v = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(v);
    if (family === 0) return false;
    return this.list.check(v, family === 6 ? 'ipv6' : 'ipv4');
  }
}

function environment(): Environment {
  return new Environment({ unlistedVariablesAreDyn: true, limits: { maxAstNodes: 2000, maxDepth: 64 } })
    .registerType('CIDR', Cidr)
    .registerFunction('cidr(string): CIDR', (s: string) => new Cidr(s))
    .registerFunction({
      name: 'containsIP',
      receiverType: 'CIDR',
      returnType: 'bool',
      params: [{ name: 'ip', type: 'string' }],
      handler: (c: Cidr, ip: string) => c.contains(ip),
    });
}

type Compiled = {
  readonly effect: Rule['effect'];
  readonly expression: string;
  readonly run: (v: object) => unknown;
};

/**
 * CEL authorization rules (agentgateway semantics): the request is denied when a `deny` rule is
 * true or a `require` rule is not true; when `allow` rules exist, at least one must be true. An
 * expression that fails to evaluate (a missing claim, say) counts as false. No rules: allowed.
 */
export class CelRuleSet {
  private readonly rules: readonly Compiled[];
  private readonly hasAllow: boolean;

  private constructor(rules: readonly Compiled[]) {
    this.rules = rules;
    this.hasAllow = rules.some((r) => r.effect === 'allow');
  }

  /** Parses every rule; throws AuthConfigError naming the first invalid one. */
  static compile(rules: readonly Rule[]): CelRuleSet {
    const env = environment();
    return new CelRuleSet(
      rules.map((r, i) => {
        let parsed: (v: object) => unknown;
        try {
          const p = env.parse(r.expression);
          parsed = (v) => p(v);
        } catch (e) {
          throw new AuthConfigError(
            `rules[${i}]: invalid CEL expression: ${(e as Error).message.split('\n')[0]}`,
          );
        }
        return { effect: r.effect, expression: r.expression, run: parsed };
      }),
    );
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  allows(vars: RuleVariables): boolean {
    let allowed = !this.hasAllow;
    for (const r of this.rules) {
      const v = evaluate(r, vars);
      if (r.effect === 'deny' && v) return false;
      if (r.effect === 'require' && !v) return false;
      if (r.effect === 'allow' && v) allowed = true;
    }
    return allowed;
  }
}

function evaluate(r: Compiled, vars: RuleVariables): boolean {
  try {
    return r.run(vars) === true;
  } catch {
    return false;
  }
}
