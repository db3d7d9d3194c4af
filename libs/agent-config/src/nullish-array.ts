import * as z from 'zod';

/**
 * An array that the Go controller may write as `null` (a nil slice) or leave out: both read as `[]`.
 */
export function nullishArray<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);
}

/** A string map that may be `null` or absent: both read as `{}`. */
export function nullishStringMap() {
  return z
    .record(z.string(), z.string())
    .nullish()
    .transform((v): Record<string, string> => v ?? {});
}
