/** A JSON schema node as used in CRD `openAPIV3Schema` (a plain JSON object). */
export type JsonSchema = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
