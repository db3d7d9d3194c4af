// A2A tasks as kagent's UI and CLI read them: the v0.3 JSON form
// (`{kind: "task", id, contextId, status: {state: "completed", ...}, history, artifacts}`).
// Runtimes on the A2A 1.0 SDK hand their tasks over in its form instead: numeric or
// `TASK_STATE_*` states, `ROLE_*` roles, parts without `kind` (`{content: {$case, value}}` as the
// SDK keeps them in memory, or `{text}` / `{data}` / `{url}` / `{raw}` in 1.0 JSON).

type Json = Record<string, unknown>;

/** The v0.3 task states, in the order of the 1.0 `TaskState` enum (0 = unspecified). */
const STATES_BY_NUMBER = [
  'unknown',
  'submitted',
  'working',
  'completed',
  'failed',
  'canceled',
  'input-required',
  'rejected',
  'auth-required',
] as const;

export type V03TaskState = (typeof STATES_BY_NUMBER)[number];

const V03_STATES: ReadonlySet<string> = new Set(STATES_BY_NUMBER);

/** Metadata flag of a v0.3 DataPart that wraps a 1.0 data value that is not an object. */
export const DATA_PART_COMPAT_KEY = 'data_part_compat';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const nonEmptyString = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A task state in any form (v0.3 name, 1.0 enum name, 1.0 enum number) as its v0.3 name. */
export function toV03TaskState(state: unknown): V03TaskState {
  if (typeof state === 'number') return STATES_BY_NUMBER[state] ?? 'unknown';
  if (typeof state !== 'string') return 'unknown';
  if (V03_STATES.has(state)) return state as V03TaskState;
  if (state.startsWith('TASK_STATE_')) {
    const name = state.slice('TASK_STATE_'.length).toLowerCase().replaceAll('_', '-');
    return V03_STATES.has(name) ? (name as V03TaskState) : 'unknown';
  }
  return 'unknown';
}

const isV1State = (state: unknown): boolean =>
  typeof state === 'number' || (typeof state === 'string' && /^(TASK_STATE_|UNRECOGNIZED$)/.test(state));

const isV1Role = (role: unknown): boolean =>
  typeof role === 'number' || (typeof role === 'string' && /^(ROLE_|UNRECOGNIZED$)/.test(role));

/** A part in a 1.0 form: every v0.3 part names its `kind`. */
const isV1Part = (part: unknown): boolean => isObject(part) && !('kind' in part);

function isV1Message(message: unknown): boolean {
  return isObject(message) && (isV1Role(message['role']) || arrayOf(message['parts']).some(isV1Part));
}

/** Whether any piece of the task document is in a 1.0 form. */
function hasV1Pieces(task: Json): boolean {
  const status = task['status'];
  if (isObject(status) && (isV1State(status['state']) || isV1Message(status['message']))) return true;
  if (arrayOf(task['history']).some(isV1Message)) return true;
  return arrayOf(task['artifacts']).some((a) => isObject(a) && arrayOf(a['parts']).some(isV1Part));
}

/** Bytes as the SDK's memory form serializes them (`Buffer` or `Uint8Array`), or base64 text. */
function base64Of(value: unknown): string {
  if (typeof value === 'string') return value;
  let bytes: unknown[] = [];
  if (Array.isArray(value)) bytes = value;
  else if (isObject(value) && value['type'] === 'Buffer' && Array.isArray(value['data']))
    bytes = value['data'];
  else if (isObject(value)) bytes = Object.values(value);
  return Buffer.from(bytes.map((b) => (typeof b === 'number' ? b : 0))).toString('base64');
}

function withMetadata(part: Json, metadata: unknown): Json {
  if (isObject(metadata)) part['metadata'] = metadata;
  return part;
}

function filePart(file: Json, source: Json, metadata: unknown): Json {
  const mimeType = nonEmptyString(source['mediaType'] ?? source['media_type']);
  const name = nonEmptyString(source['filename']);
  if (mimeType !== undefined) file['mimeType'] = mimeType;
  if (name !== undefined) file['name'] = name;
  return withMetadata({ kind: 'file', file }, metadata);
}

function dataPart(value: unknown, metadata: unknown): Json {
  if (isObject(value)) return withMetadata({ kind: 'data', data: value }, metadata);
  // v0.3 data is an object: other values travel wrapped, flagged so a 1.0 reader unwraps them.
  return {
    kind: 'data',
    data: { value: value ?? null },
    metadata: { ...(isObject(metadata) ? metadata : {}), [DATA_PART_COMPAT_KEY]: true },
  };
}

/** One part as v0.3 JSON; undefined for a part with no content. A v0.3 part is kept as it is. */
function toV03Part(part: unknown): Json | undefined {
  if (!isObject(part)) return undefined;
  if ('kind' in part) return part;
  const metadata = part['metadata'];
  // The SDK's memory form: `{content: {$case, value}, metadata, filename, mediaType}`.
  const content = part['content'];
  const which = isObject(content) ? content['$case'] : undefined;
  const value = isObject(content) ? content['value'] : undefined;
  if (which === 'text' || (which === undefined && typeof part['text'] === 'string')) {
    const text = which === 'text' ? value : part['text'];
    return withMetadata({ kind: 'text', text: typeof text === 'string' ? text : '' }, metadata);
  }
  if (which === 'url' || (which === undefined && typeof part['url'] === 'string')) {
    return filePart({ uri: String(which === 'url' ? value : part['url']) }, part, metadata);
  }
  if (which === 'raw' || (which === undefined && 'raw' in part)) {
    return filePart({ bytes: base64Of(which === 'raw' ? value : part['raw']) }, part, metadata);
  }
  if (which === 'data') return dataPart(value, metadata);
  if (which === undefined && 'data' in part) return dataPart(part['data'], metadata);
  return undefined;
}

function toV03Parts(parts: unknown): Json[] {
  return arrayOf(parts)
    .map(toV03Part)
    .filter((p): p is Json => p !== undefined);
}

function toV03Role(role: unknown): 'user' | 'agent' {
  return role === 'user' || role === 'ROLE_USER' || role === 1 ? 'user' : 'agent';
}

function copyOptional(from: Json, to: Json): void {
  for (const key of ['contextId', 'taskId'] as const) {
    const value = nonEmptyString(from[key]);
    if (value !== undefined) to[key] = value;
  }
  if (isObject(from['metadata'])) to['metadata'] = from['metadata'];
  for (const key of ['extensions', 'referenceTaskIds'] as const) {
    const list = from[key];
    if (Array.isArray(list) && list.length > 0) to[key] = list;
  }
}

function toV03Message(message: unknown): Json | undefined {
  if (!isObject(message)) return undefined;
  const out: Json = {
    kind: 'message',
    messageId: typeof message['messageId'] === 'string' ? message['messageId'] : '',
    role: toV03Role(message['role']),
    parts: toV03Parts(message['parts']),
  };
  copyOptional(message, out);
  return out;
}

function toV03Artifact(artifact: unknown): Json | undefined {
  if (!isObject(artifact)) return undefined;
  const out: Json = {
    artifactId: typeof artifact['artifactId'] === 'string' ? artifact['artifactId'] : '',
    parts: toV03Parts(artifact['parts']),
  };
  for (const key of ['name', 'description'] as const) {
    const value = nonEmptyString(artifact[key]);
    if (value !== undefined) out[key] = value;
  }
  if (isObject(artifact['metadata'])) out['metadata'] = artifact['metadata'];
  const extensions = artifact['extensions'];
  if (Array.isArray(extensions) && extensions.length > 0) out['extensions'] = extensions;
  return out;
}

function toV03Status(status: unknown): Json {
  if (!isObject(status)) return { state: 'unknown' };
  const out: Json = { state: toV03TaskState(status['state']) };
  const message = toV03Message(status['message']);
  if (message !== undefined) out['message'] = message;
  const timestamp = nonEmptyString(status['timestamp']);
  if (timestamp !== undefined) out['timestamp'] = timestamp;
  return out;
}

/** Ids the task's record holds, used when the document lacks them. */
export interface TaskIds {
  id: string;
  contextId: string;
}

/**
 * A task document as A2A v0.3 JSON. A document already in that form (as kagent's runtime writes
 * it) comes back unchanged, the same object; one with 1.0 pieces (states, roles, parts) is
 * rebuilt as `{kind: "task", id, contextId, status, history, artifacts, metadata?}` with v0.3
 * messages and parts. A value that is not an object is returned as it is.
 */
export function toV03Task(task: unknown, ids?: TaskIds): unknown {
  if (!isObject(task) || !hasV1Pieces(task)) return task;
  const out: Json = {
    kind: 'task',
    id: nonEmptyString(task['id']) ?? ids?.id ?? '',
    contextId: nonEmptyString(task['contextId']) ?? ids?.contextId ?? '',
    status: toV03Status(task['status']),
    history: arrayOf(task['history'])
      .map(toV03Message)
      .filter((m) => m !== undefined),
    artifacts: arrayOf(task['artifacts'])
      .map(toV03Artifact)
      .filter((a) => a !== undefined),
  };
  if (isObject(task['metadata'])) out['metadata'] = task['metadata'];
  return out;
}
