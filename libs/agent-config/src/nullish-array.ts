import * as z from 'zod/mini';

/**
 * An array that the Go controller may write as `null` (a nil slice) or leave out: both read as `[]`.
 */
export function nullishArray<T extends z.ZodMiniType>(item: T) {
  return z.pipe(
    z.nullish(z.array(item)),
    z.transform((v): z.output<T>[] => v ?? []),
  );
}

/** A string map that may be `null` or absent: both read as `{}`. */
export function nullishStringMap() {
  return z.pipe(
    z.nullish(z.record(z.string(), z.string())),
    z.transform((v): Record<string, string> => v ?? {}),
  );
}

/** A string that may be `null` or absent: both read as `''`. */
export function nullishString() {
  return z.pipe(
    z.nullish(z.string()),
    z.transform((v) => v ?? ''),
  );
}

/** A non-empty string. */
export function nonEmptyString() {
  return z.string().check(z.minLength(1));
}
