// Reads what logs and metrics need from A2A JSON-RPC traffic (method, task state, contextId)
// without holding the stream back: the proxy pipes bytes on, this looks at a copy.
import { MemberPaths, scanMembers } from './json-scan.js';

export interface A2aFacts {
  method: string;
  requestId?: string | number | null;
  contextId?: string;
  taskId?: string;
  /** Last task state seen, v0.3 spelling (`completed`, `input-required`, ...). */
  taskState?: string;
  errorCode?: number;
}

/** Request bodies up to this size are parsed for their facts; larger ones are scanned. */
const MAX_PARSED_REQUEST_BYTES = 16 * 1024;

const FACT_PATHS = new MemberPaths([
  'method',
  'id',
  'params.id',
  'params.taskId',
  ...['message', 'request'].flatMap((m) =>
    ['contextId', 'context_id', 'taskId'].map((k) => `params.${m}.${k}`),
  ),
]);

/**
 * Facts from the JSON-RPC request body (buffered by the proxy): method and ids. A large body
 * (file parts) is scanned for them rather than parsed whole.
 */
export function requestFacts(body: Buffer): A2aFacts | undefined {
  return body.byteLength > MAX_PARSED_REQUEST_BYTES ? scannedFacts(body) : parsedFacts(body);
}

function parsedFacts(body: Buffer): A2aFacts | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(msg) || typeof msg.method !== 'string') return undefined;
  const facts: A2aFacts = { method: msg.method };
  if (typeof msg.id === 'string' || typeof msg.id === 'number') facts.requestId = msg.id;
  const p = isObject(msg.params) ? msg.params : {};
  const m = isObject(p.message) ? p.message : isObject(p.request) ? p.request : undefined;
  const ctx = m?.contextId ?? m?.context_id;
  if (typeof ctx === 'string') facts.contextId = ctx;
  const task = m?.taskId ?? p.id ?? p.taskId;
  if (typeof task === 'string') facts.taskId = task;
  return facts;
}

function scannedFacts(body: Buffer): A2aFacts | undefined {
  const scan = scanMembers(body, FACT_PATHS);
  const method = scan?.values.get('method');
  if (!scan || typeof method !== 'string') return undefined;
  const v = scan.values;
  const facts: A2aFacts = { method };
  const id = v.get('id');
  if (id !== undefined) facts.requestId = id;
  const m = scan.objects.has('params.message')
    ? 'params.message'
    : scan.objects.has('params.request')
      ? 'params.request'
      : undefined;
  const ctx = m && (v.get(`${m}.contextId`) ?? v.get(`${m}.context_id`));
  if (typeof ctx === 'string') facts.contextId = ctx;
  const task = (m && v.get(`${m}.taskId`)) ?? v.get('params.id') ?? v.get('params.taskId');
  if (typeof task === 'string') facts.taskId = task;
  return facts;
}

/** v1.0 `TASK_STATE_INPUT_REQUIRED` → v0.3 `input-required`. */
export function normalizeState(s: string): string {
  return s.startsWith('TASK_STATE_') ? s.slice(11).toLowerCase().replace(/_/g, '-') : s;
}

/** Folds one JSON-RPC response (buffered answer or one SSE event) into the facts. */
export function observeResponse(facts: A2aFacts, msg: unknown): void {
  if (!isObject(msg)) return;
  if (isObject(msg.error)) {
    if (typeof msg.error.code === 'number') facts.errorCode = msg.error.code;
    return;
  }
  const r = msg.result;
  if (!isObject(r)) return;
  // v1.0 wraps the payload: {task}|{message}|{statusUpdate}|{artifactUpdate}; v0.3 tags it with kind.
  const inner = [r.task, r.statusUpdate, r.artifactUpdate, r.message].find(isObject) ?? r;
  const status = isObject(inner.status) ? inner.status : undefined;
  if (typeof status?.state === 'string') facts.taskState = normalizeState(status.state);
  if (typeof inner.contextId === 'string') facts.contextId = inner.contextId;
  const taskId = inner.kind === 'task' || r.task ? inner.id : inner.taskId;
  if (typeof taskId === 'string') facts.taskId = taskId;
}

const MAX_OBSERVED_BYTES = 256 * 1024;

/**
 * Watches response chunks: parses `data:` lines of an SSE stream event by event, or a JSON body
 * at the end (bodies over 256 KiB are not parsed). Never throws.
 */
export class ResponseObserver {
  private pending = '';
  private json: Buffer[] = [];
  private jsonBytes = 0;
  private decoder: InstanceType<typeof TextDecoder> | undefined;

  constructor(
    private readonly facts: A2aFacts,
    private readonly sse: boolean,
  ) {}

  chunk(c: Buffer): void {
    if (!this.sse) {
      this.jsonBytes += c.byteLength;
      if (this.jsonBytes <= MAX_OBSERVED_BYTES) this.json.push(c);
      return;
    }
    this.pending += (this.decoder ??= new TextDecoder()).decode(c, { stream: true });
    if (this.pending.length > MAX_OBSERVED_BYTES) this.pending = this.pending.slice(-MAX_OBSERVED_BYTES);
    let i: number;
    while ((i = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, i).replace(/\r$/, '');
      this.pending = this.pending.slice(i + 1);
      if (line.startsWith('data:')) this.parse(line.slice(5).trim());
    }
  }

  end(): void {
    if (!this.sse && this.jsonBytes <= MAX_OBSERVED_BYTES && this.json.length > 0)
      this.parse(Buffer.concat(this.json).toString('utf8'));
  }

  private parse(text: string): void {
    try {
      observeResponse(this.facts, JSON.parse(text));
    } catch {
      // not JSON: nothing to learn
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
