import type { z } from 'zod';

/**
 * Cross-field rules for object schemas (`.superRefine(...)`). Messages name fields as `{{field}}`;
 * the issue formatter expands each to the field's full path (for example
 * `spec.declarative.systemMessage`), so a user reads exactly which fields clash.
 */

type Obj = Record<string, unknown>;
type Ctx = z.core.$RefinementCtx;

const isSet = (obj: Obj, field: string): boolean => obj[field] !== undefined && obj[field] !== null;
const list = (fields: readonly string[]): string => fields.map((f) => `{{${f}}}`).join(', ');

function add(ctx: Ctx, input: unknown, message: string, path: PropertyKey[] = []): void {
  // ownerDepth: how many trailing path segments lead from the rule's object to the flagged field,
  // so `{{field}}` references can be resolved against the rule's object.
  ctx.addIssue({ code: 'custom', message, path, input, params: { ownerDepth: path.length } });
}

/** Exactly one of the fields must be set. */
export function exactlyOneOf(fields: readonly string[]) {
  return (obj: Obj, ctx: Ctx): void => {
    const set = fields.filter((f) => isSet(obj, f));
    if (set.length === 1) return;
    if (set.length === 0) add(ctx, obj, `exactly one of ${list(fields)} must be set; none is`);
    else add(ctx, obj, `exactly one of ${list(fields)} must be set; found ${list(set)}`);
  };
}

/** At most one of the fields may be set. Two fields read as "mutually exclusive". */
export function atMostOneOf(fields: readonly string[]) {
  return (obj: Obj, ctx: Ctx): void => {
    const set = fields.filter((f) => isSet(obj, f));
    if (set.length <= 1) return;
    if (fields.length === 2)
      add(ctx, obj, `${list(set).replace(', ', ' and ')} are mutually exclusive; set one`);
    else add(ctx, obj, `at most one of ${list(fields)} may be set; found ${list(set)}`);
  };
}

/** At least one of the fields must be set. */
export function atLeastOneOf(fields: readonly string[]) {
  return (obj: Obj, ctx: Ctx): void => {
    if (fields.some((f) => isSet(obj, f))) return;
    add(ctx, obj, `at least one of ${list(fields)} must be set`);
  };
}

/** When `field` is set, `needed` must be set too. */
export function requires(field: string, needed: string, why = '') {
  return (obj: Obj, ctx: Ctx): void => {
    if (isSet(obj, field) && !isSet(obj, needed)) {
      add(ctx, obj, `{{${field}}} requires {{${needed}}}${why ? `: ${why}` : ''}`, [needed]);
    }
  };
}

/** Runs several rules in order. */
export function allRules(...rules: ((obj: Obj, ctx: Ctx) => void)[]) {
  return (obj: Obj, ctx: Ctx): void => {
    for (const rule of rules) rule(obj, ctx);
  };
}

/** Adds an issue whose message may name fields as `{{field}}`. */
export function addFieldIssue(ctx: Ctx, input: unknown, message: string, path: PropertyKey[] = []): void {
  add(ctx, input, message, path);
}
