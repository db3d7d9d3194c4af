// Model prices (`config.modelCatalog`) and the cost of a request from its usage. Prices are kept
// as integers (millionths of the currency unit per million tokens) so sums are exact until the
// final division.
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  parseModelCatalog,
  type ModelCatalogModel,
  type ModelCatalogSourceModel,
} from '@agentplane/gateway-config';
import { modelMatcher, type ModelMatcher } from '../model-match.js';
import type { Usage } from '../wire.js';

/** Prices per million tokens, in millionths of the catalog's currency unit. */
export interface Rates {
  readonly input?: number;
  readonly output?: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
  readonly reasoning?: number;
}

interface PricedModel {
  readonly rates: Rates;
  /** Ascending thresholds; each tier's rates are already laid over the base rates. */
  readonly tiers: readonly { readonly contextOver: number; readonly rates: Rates }[];
}

/** Cost of one request, in the catalog's currency, by what was billed. */
export interface CostBreakdown {
  readonly total: number;
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly reasoning: number;
}

type RawRates = Partial<Record<keyof Rates, string | null>>;

/** "2.5" -> 2_500_000 (the schema allows at most 6 fractional digits). */
function micros(v: string | null | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  const dot = v.indexOf('.');
  if (dot < 0) return Number(v) * 1e6;
  return Number(v.slice(0, dot)) * 1e6 + Number(v.slice(dot + 1).padEnd(6, '0'));
}

function ratesOf(r: RawRates | undefined): Rates {
  if (!r) return {};
  const out: { -readonly [K in keyof Rates]: Rates[K] } = {};
  for (const k of ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const) {
    const m = micros(r[k]);
    if (m !== undefined) out[k] = m;
  }
  return out;
}

const hasRates = (r: Rates): boolean =>
  r.input !== undefined ||
  r.output !== undefined ||
  r.cacheRead !== undefined ||
  r.cacheWrite !== undefined ||
  r.reasoning !== undefined;

interface ProviderPrices {
  readonly exact: Map<string, PricedModel>;
  /** Wildcard model keys, most specific (longest) first. */
  readonly patterns: { readonly test: ModelMatcher; readonly length: number; readonly model: PricedModel }[];
}

/** A compiled price table. Immutable; the factory swaps it on config changes. */
export class ModelCatalog {
  static readonly EMPTY = new ModelCatalog(new Map<string, ProviderPrices>());

  private constructor(private readonly providers: ReadonlyMap<string, ProviderPrices>) {}

  /** Later catalogs replace whole model entries of earlier ones (per provider and model id). */
  static fromCatalogs(catalogs: readonly ModelCatalogModel[]): ModelCatalog {
    const merged = new Map<string, Map<string, PricedModel>>();
    for (const c of catalogs) {
      for (const [provider, p] of Object.entries(c.providers ?? {})) {
        let models = merged.get(provider);
        if (!models) merged.set(provider, (models = new Map<string, PricedModel>()));
        for (const [id, m] of Object.entries(p.models ?? {})) {
          const base = ratesOf(m.rates);
          const tiers = (m.tiers ?? []).map((t) => ({
            contextOver: t.contextOver,
            rates: { ...base, ...ratesOf(t.rates) },
          }));
          models.set(id, { rates: base, tiers });
        }
      }
    }
    const providers = new Map<string, ProviderPrices>();
    for (const [provider, models] of merged) {
      const exact = new Map<string, PricedModel>();
      const patterns: ProviderPrices['patterns'] = [];
      for (const [id, model] of models) {
        if (id.includes('*')) patterns.push({ test: modelMatcher(id), length: id.length, model });
        else exact.set(id, model);
      }
      patterns.sort((a, b) => b.length - a.length);
      providers.set(provider, { exact, patterns });
    }
    return new ModelCatalog(providers);
  }

  get empty(): boolean {
    return this.providers.size === 0;
  }

  /**
   * The entry for the first model name that has one (exact ids before wildcards), looked up under
   * each provider name in turn (`*` is tried last).
   */
  private find(
    providers: readonly string[],
    models: readonly (string | undefined)[],
  ): PricedModel | undefined {
    for (const model of models) {
      if (!model) continue;
      for (const name of providers) {
        const p = this.providers.get(name);
        const hit = p?.exact.get(model) ?? p?.patterns.find((x) => x.test(model))?.model;
        if (hit) return hit;
      }
      const any = this.providers.get('*');
      const hit = any?.exact.get(model) ?? any?.patterns.find((x) => x.test(model))?.model;
      if (hit) return hit;
    }
    return undefined;
  }

  /**
   * The cost of a request, or undefined when the model has no price or the usage is unknown.
   * Cached and reasoning tokens are billed at their own rates when the catalog has them, else
   * at the input and output rates.
   */
  cost(
    providers: readonly string[],
    models: readonly (string | undefined)[],
    usage: Usage,
  ): CostBreakdown | undefined {
    if (this.providers.size === 0) return undefined;
    if (usage.inputTokens === undefined && usage.outputTokens === undefined) return undefined;
    const entry = this.find(providers, models);
    if (!entry) return undefined;
    const input = usage.inputTokens ?? 0;
    let rates = entry.rates;
    for (const t of entry.tiers) if (input > t.contextOver) rates = t.rates;
    if (!hasRates(rates)) return undefined;
    const cacheRead = rates.cacheRead !== undefined ? (usage.cacheReadTokens ?? 0) : 0;
    const cacheWrite = rates.cacheWrite !== undefined ? (usage.cacheWriteTokens ?? 0) : 0;
    const reasoning = rates.reasoning !== undefined ? (usage.reasoningTokens ?? 0) : 0;
    const output = usage.outputTokens ?? 0;
    const m = {
      input: Math.max(0, input - cacheRead - cacheWrite) * (rates.input ?? 0),
      output: Math.max(0, output - reasoning) * (rates.output ?? 0),
      cacheRead: cacheRead * (rates.cacheRead ?? 0),
      cacheWrite: cacheWrite * (rates.cacheWrite ?? 0),
      reasoning: reasoning * (rates.reasoning ?? 0),
    };
    // tokens × (millionths per million tokens) = units × 1e12.
    return {
      total: (m.input + m.output + m.cacheRead + m.cacheWrite + m.reasoning) / 1e12,
      input: m.input / 1e12,
      output: m.output / 1e12,
      cacheRead: m.cacheRead / 1e12,
      cacheWrite: m.cacheWrite / 1e12,
      reasoning: m.reasoning / 1e12,
    };
  }
}

export interface LoadModelCatalogOptions {
  /** Reads a catalog file (default: `fs.readFileSync` as UTF-8). */
  readonly readFile?: (path: string) => string;
}

/**
 * Compiles `config.modelCatalog`: inline catalogs as given, files read and validated now. Throws
 * ConfigError naming the source (`config.modelCatalog[1].file`) when a file cannot be read or is
 * not a valid catalog.
 */
export function loadModelCatalog(
  sources: readonly ModelCatalogSourceModel[] | undefined,
  opts: LoadModelCatalogOptions = {},
): ModelCatalog {
  if (!sources || sources.length === 0) return ModelCatalog.EMPTY;
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const catalogs = sources.map((s, i) => {
    if ('catalog' in s) return s.catalog;
    let text: string;
    try {
      text = read(s.file);
    } catch (e) {
      throw new ConfigError('CONFIG_INVALID', [
        {
          path: `config.modelCatalog[${i}].file`,
          message: `cannot read ${s.file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        },
      ]);
    }
    return parseModelCatalog(text, ['config', 'modelCatalog', i, 'file']);
  });
  return ModelCatalog.fromCatalogs(catalogs);
}
