import type { PendingCall } from './session-event.js';

/** What the person said about one pending call. */
export type CallDecision =
  | { readonly kind: 'approve' }
  | { readonly kind: 'reject'; readonly reason: string | undefined }
  | { readonly kind: 'answer'; readonly text: string };

/** The resume message of a paused task, A2A-neutral: its text parts and its data parts. */
export interface ResumeInput {
  readonly text: string;
  readonly data: readonly unknown[];
}

const APPROVE_WORDS = /^\s*(approve|approved|yes|y|ok|allow)\s*[.!]?\s*$/i;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function lookup(map: Record<string, unknown> | undefined, p: PendingCall): unknown {
  if (!map) return undefined;
  return map[p.call.id] ?? map[p.requestId];
}

function decisionData(data: readonly unknown[]): Record<string, unknown> | undefined {
  for (const d of data) {
    const r = asRecord(d);
    if (r && typeof r['decision_type'] === 'string') return r;
  }
  return undefined;
}

/** An `ask_user` answer given as data: `{answer}` or `{answers: {callId: text}}`. */
function answerFromData(data: readonly unknown[], p: PendingCall): string | undefined {
  for (const d of data) {
    const r = asRecord(d);
    if (!r) continue;
    const one = lookup(asRecord(r['answers']), p);
    if (typeof one === 'string') return one;
    if (typeof r['answer'] === 'string') return r['answer'];
  }
  return undefined;
}

/**
 * The resume message as handed to an interrupted tool (a sub-agent): as given, except that a
 * batch decision about the interrupted call itself (keyed by its call id or request id) becomes
 * an `approve` / `reject` of everything the tool waits for.
 */
export function forwardedInput(p: PendingCall, input: ResumeInput): ResumeInput {
  const d = decisionData(input.data);
  if (!d || String(d['decision_type']).toLowerCase() !== 'batch') return input;
  const value = lookup(asRecord(d['decisions']), p);
  if (typeof value !== 'string') return input;
  const reason = lookup(asRecord(d['rejection_reasons']), p);
  const type = value.toLowerCase() === 'approve' ? 'approve' : 'reject';
  const forwarded: Record<string, unknown> = { decision_type: type };
  if (type === 'reject' && typeof reason === 'string' && reason !== '') {
    const requestIds = (p.interrupt?.requests ?? []).flatMap((r) => {
      const id = asRecord(r)?.['id'];
      return typeof id === 'string' ? [id] : [];
    });
    forwarded['rejection_reasons'] = Object.fromEntries(requestIds.map((id) => [id, reason]));
  }
  return { text: input.text, data: [forwarded, ...input.data.filter((x) => x !== d)] };
}

/**
 * Reads the decision for each pending call from a resume message:
 * a DataPart `{decision_type: approve|reject|batch, decisions{callId: approve|reject},
 * rejection_reasons{callId: text}}` (call ids may be the tool call's or the confirmation's id).
 * Without one, text that says "approve"/"yes" approves everything and other text rejects it
 * with that text as the reason. `ask_user` calls take the text as the answer. Interrupted
 * tools get no decision here: the message goes on to them ({@link forwardedInput}).
 */
export function decide(pending: readonly PendingCall[], input: ResumeInput): Map<string, CallDecision> {
  const out = new Map<string, CallDecision>();
  const d = decisionData(input.data);
  const type = typeof d?.['decision_type'] === 'string' ? d['decision_type'].toLowerCase() : undefined;
  const decisions = asRecord(d?.['decisions']);
  const reasons = asRecord(d?.['rejection_reasons']);
  for (const p of pending) {
    if (p.kind === 'interrupt') continue;
    if (p.kind === 'ask_user') {
      out.set(p.call.id, { kind: 'answer', text: answerFromData(input.data, p) ?? input.text });
      continue;
    }
    const reasonValue = lookup(reasons, p);
    const reason = typeof reasonValue === 'string' && reasonValue !== '' ? reasonValue : undefined;
    let approve: boolean;
    if (type === 'approve') approve = true;
    else if (type === 'reject') approve = false;
    else if (type === 'batch') {
      const value = lookup(decisions, p);
      approve = typeof value === 'string' && value.toLowerCase() === 'approve';
    } else approve = APPROVE_WORDS.test(input.text);
    const textReason = d === undefined && input.text.trim() !== '' ? input.text.trim() : undefined;
    out.set(p.call.id, approve ? { kind: 'approve' } : { kind: 'reject', reason: reason ?? textReason });
  }
  return out;
}
