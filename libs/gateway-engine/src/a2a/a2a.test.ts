import { describe, expect, it } from 'vitest';
import { observeResponse, requestFacts, ResponseObserver, type A2aFacts } from './a2a-observer.js';
import { mapAgentUrl, rewriteAgentCard } from './agent-card.js';

describe('agent card rewriting', () => {
  it('maps v0.3 url and v1.0 interfaces to the gateway, undoing a rewritten prefix without doubling it', () => {
    const m = {
      externalOrigin: 'https://gw.example.com',
      forwardedPrefix: '/edge',
      downstreamBase: '/agents/a',
      upstreamBase: '/svc',
    };
    const card = rewriteAgentCard(
      {
        url: 'http://10.0.0.5:9999/svc/jsonrpc',
        additionalInterfaces: [{ url: 'http://10.0.0.5:9999/svc/rest', transport: 'HTTP+JSON' }],
        supportedInterfaces: [{ url: 'http://10.0.0.5:9999/svc', protocolBinding: 'JSONRPC' }],
        name: 'a',
      },
      (u) => mapAgentUrl(u, m),
    );
    expect(card).toEqual({
      url: 'https://gw.example.com/edge/agents/a/jsonrpc',
      additionalInterfaces: [{ url: 'https://gw.example.com/edge/agents/a/rest', transport: 'HTTP+JSON' }],
      supportedInterfaces: [{ url: 'https://gw.example.com/edge/agents/a', protocolBinding: 'JSONRPC' }],
      name: 'a',
    });
    expect(
      mapAgentUrl('http://x:1/', { ...m, forwardedPrefix: '', upstreamBase: '', downstreamBase: '' }),
    ).toBe('https://gw.example.com/');
  });
});

describe('A2A facts', () => {
  it('reads method and contextId from requests, task state from JSON and SSE answers (v0.3 and v1.0)', () => {
    const f = requestFacts(
      Buffer.from(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'message/stream',
          params: { message: { contextId: 'c1' } },
        }),
      ),
    ) as A2aFacts;
    expect(f).toMatchObject({ method: 'message/stream', contextId: 'c1', requestId: 1 });
    const sse = new ResponseObserver(f, true);
    const ev = (r: unknown) => `data: ${JSON.stringify({ jsonrpc: '2.0', id: 1, result: r })}\n\n`;
    const text =
      ev({ kind: 'task', id: 't1', contextId: 'c1', status: { state: 'submitted' } }) +
      ev({ kind: 'status-update', taskId: 't1', contextId: 'c1', status: { state: 'input-required' } });
    sse.chunk(Buffer.from(text.slice(0, 30)));
    sse.chunk(Buffer.from(text.slice(30)));
    expect(f).toMatchObject({ taskState: 'input-required', taskId: 't1' });
    const v1: A2aFacts = { method: 'SendMessage' };
    observeResponse(v1, {
      result: { task: { id: 't2', contextId: 'c2', status: { state: 'TASK_STATE_COMPLETED' } } },
    });
    expect(v1).toMatchObject({ taskState: 'completed', contextId: 'c2', taskId: 't2' });
  });

  it('reads the facts of a large request (file parts) too', () => {
    const file = { kind: 'file', file: { bytes: 'A'.repeat(200_000), mimeType: 'image/png' } };
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'message/send',
      params: { message: { contextId: 'c9', parts: [file] } },
    });
    expect(requestFacts(Buffer.from(big))).toEqual({ method: 'message/send', requestId: 2, contextId: 'c9' });
    expect(requestFacts(Buffer.from(big.replace('"method"', '"verb"')))).toBeUndefined();
    expect(requestFacts(Buffer.from(big.slice(0, -10)))).toBeUndefined();
  });
});
