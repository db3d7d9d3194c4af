import { Task } from '@a2a-js/sdk';

// The controller keeps tasks as A2A v0.3 JSON (kagent's form): a task this runtime wrote comes
// back from `GET /api/tasks/{id}` in that form, not in the SDK's in-memory one it was saved in.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Flag on a v0.3 DataPart wrapping a value that is not an object as `{value}`. */
const DATA_PART_COMPAT_KEY = 'data_part_compat';

/** v0.3 state names → A2A 1.0 enum names. */
const STATE_NAMES: Readonly<Record<string, string>> = {
  submitted: 'TASK_STATE_SUBMITTED',
  working: 'TASK_STATE_WORKING',
  completed: 'TASK_STATE_COMPLETED',
  failed: 'TASK_STATE_FAILED',
  canceled: 'TASK_STATE_CANCELED',
  'input-required': 'TASK_STATE_INPUT_REQUIRED',
  rejected: 'TASK_STATE_REJECTED',
  'auth-required': 'TASK_STATE_AUTH_REQUIRED',
  unknown: 'TASK_STATE_UNSPECIFIED',
};

function v1Part(part: unknown): Json {
  if (!isObject(part)) return {};
  const metadata = isObject(part['metadata']) ? { ...part['metadata'] } : undefined;
  const out: Json = {};
  switch (part['kind']) {
    case 'text':
      out['text'] = part['text'];
      break;
    case 'file': {
      const file = isObject(part['file']) ? part['file'] : {};
      if (typeof file['bytes'] === 'string') out['raw'] = file['bytes'];
      else out['url'] = file['uri'];
      if (typeof file['mimeType'] === 'string') out['mediaType'] = file['mimeType'];
      if (typeof file['name'] === 'string') out['filename'] = file['name'];
      break;
    }
    case 'data': {
      const data = part['data'];
      if (metadata?.[DATA_PART_COMPAT_KEY] === true && isObject(data) && 'value' in data) {
        delete metadata[DATA_PART_COMPAT_KEY];
        out['data'] = data['value'];
      } else out['data'] = data;
      break;
    }
    default:
      // Already a 1.0 part.
      return part;
  }
  if (metadata !== undefined && Object.keys(metadata).length > 0) out['metadata'] = metadata;
  return out;
}

function v1Message(message: unknown): unknown {
  if (!isObject(message)) return message;
  const role = message['role'];
  return {
    ...message,
    role: role === 'user' ? 'ROLE_USER' : role === 'agent' ? 'ROLE_AGENT' : role,
    parts: Array.isArray(message['parts']) ? message['parts'].map(v1Part) : [],
  };
}

function v1Artifact(artifact: unknown): unknown {
  if (!isObject(artifact)) return artifact;
  return { ...artifact, parts: Array.isArray(artifact['parts']) ? artifact['parts'].map(v1Part) : [] };
}

/**
 * A stored task as the SDK's `Task`: the SDK's own form (an in-memory store's) is returned as it
 * is, A2A v0.3 JSON (the controller's) is converted. Undefined for a value that is no task.
 */
export function fromStoredTask(stored: unknown): Task | undefined {
  if (!isObject(stored) || typeof stored['id'] !== 'string') return undefined;
  const status = isObject(stored['status']) ? stored['status'] : undefined;
  const history = Array.isArray(stored['history']) ? stored['history'] : [];
  const sdkForm =
    typeof status?.['state'] === 'number' ||
    history.some((m) => isObject(m) && typeof m['role'] === 'number');
  if (sdkForm) return stored as unknown as Task;
  const state = status?.['state'];
  return Task.fromJSON({
    ...stored,
    ...(status
      ? {
          status: {
            ...status,
            state: typeof state === 'string' ? (STATE_NAMES[state] ?? state) : state,
            ...(status['message'] !== undefined ? { message: v1Message(status['message']) } : {}),
          },
        }
      : {}),
    history: history.map(v1Message),
    artifacts: Array.isArray(stored['artifacts']) ? stored['artifacts'].map(v1Artifact) : [],
  });
}
