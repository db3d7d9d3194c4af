/** The outcome of an operation that can fail in an expected way (a missing row, a duplicate). */
export type Result<T, Reason extends string> = { ok: true; value: T } | { ok: false; reason: Reason };
