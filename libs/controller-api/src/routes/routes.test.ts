// The tests read into JSON responses freely.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryResourceStore } from '../testing/in-memory-resource-store.js';
import {
  engineNames,
  openEngine,
  startApiHarness,
  type ApiHarness,
  type EngineDatabase,
} from '../testing/harness/api-harness.js';

const databaseUrl = process.env['DATABASE_URL'];

const agentBody = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'kagent.dev/v1alpha2',
  kind: 'Agent',
  metadata: { name, namespace: 'kagent' },
  spec: {
    type: 'Declarative',
    description: `${name} agent`,
    declarative: {
      systemMessage: 'You are helpful.',
      modelConfig: 'gpt',
      tools: [
        {
          type: 'McpServer',
          mcpServer: { kind: 'RemoteMCPServer', name: 'everything', toolNames: ['echo'] },
        },
      ],
      ...extra,
    },
  },
});

describe.each(engineNames(databaseUrl))('controller API routes on %s', (engineName) => {
  let engine: EngineDatabase;
  let api: ApiHarness;
  let store: InMemoryResourceStore;

  beforeAll(async () => {
    engine = await openEngine(engineName, databaseUrl);
    store = new InMemoryResourceStore({ namespaces: ['kagent', 'team-a'] });
    api = await startApiHarness({ engine, resources: store, api: { version: { version: '1.2.3' } } });
  });

  afterAll(async () => {
    await api?.close();
    await engine?.dispose();
  });

  describe('system', () => {
    it('GET /health and /version', async () => {
      expect(await api.call('GET', '/health')).toMatchObject({ status: 200, json: { status: 'ok' } });
      const version = await api.call('GET', '/version');
      expect(version.json).toEqual({ kagent_version: '1.2.3', git_commit: '', build_date: '' });
    });

    it('GET /api/me: ?user_id=, then X-User-Id, else the default user', async () => {
      expect((await api.call('GET', '/api/me')).json).toEqual({ sub: 'admin@kagent.dev' });
      expect((await api.call('GET', '/api/me', { user: 'bob' })).json).toEqual({ sub: 'bob' });
      const both = await api.call('GET', '/api/me?user_id=carol', { user: 'bob' });
      expect(both.json).toEqual({ sub: 'carol' });
    });

    it('unknown routes, malformed JSON and oversized bodies get JSON errors', async () => {
      const missing = await api.call('GET', '/api/nope');
      expect(missing).toMatchObject({ status: 404, json: { error: 'Not Found', code: 'NOT_FOUND' } });
      const bad = await api.call('POST', '/api/feedback', { raw: '{"is_positive": tru' });
      expect(bad).toMatchObject({ status: 400, json: { code: 'INVALID_JSON' } });
      const big = await api.call('POST', '/api/feedback', {
        body: { is_positive: true, feedback_text: 'x'.repeat(1024 * 1024 + 10) },
      });
      expect(big).toMatchObject({
        status: 413,
        json: { error: 'Payload Too Large', code: 'BODY_TOO_LARGE' },
      });
    });
  });

  describe('agents', () => {
    beforeAll(() => {
      store.put({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'ModelConfig',
        metadata: { name: 'gpt', namespace: 'kagent' },
        spec: { provider: 'OpenAI', model: 'gpt-4o-mini' },
      });
    });

    it('POST creates the Agent resource and answers with kagent AgentResponse', async () => {
      const res = await api.call('POST', '/api/agents', { body: agentBody('helper') });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({
        error: false,
        message: 'Successfully created agent',
        data: {
          id: 'kagent__NS__helper',
          modelProvider: 'OpenAI',
          model: 'gpt-4o-mini',
          modelConfigRef: 'kagent/gpt',
          accepted: false,
          deploymentReady: false,
          agent: { kind: 'Agent', metadata: { name: 'helper', namespace: 'kagent' } },
        },
      });
      expect(res.json.data.tools[0].mcpServer).toMatchObject({ name: 'everything', namespace: 'kagent' });
      const stored = await store.get({ kind: 'Agent', namespace: 'kagent', name: 'helper' });
      expect(stored?.spec).toMatchObject({ declarative: { systemMessage: 'You are helpful.' } });
    });

    it('POST of an existing agent is 409; invalid agents are 400 naming the field', async () => {
      expect((await api.call('POST', '/api/agents', { body: agentBody('helper') })).status).toBe(409);
      const invalid = await api.call('POST', '/api/agents', {
        body: agentBody('broken', { systemMessageFrom: { type: 'ConfigMap', name: 'p', key: 'k' } }),
      });
      expect(invalid.status).toBe(400);
      expect(invalid.json.code).toBe('VALIDATION_FAILED');
      expect(invalid.json.message).toContain('spec.declarative');
      expect(invalid.json.issues.length).toBeGreaterThan(0);
      const noName = await api.call('POST', '/api/agents', { body: { spec: {} } });
      expect(noName.status).toBe(400);
      expect(noName.json.issues).toContainEqual({ path: 'metadata.name', message: 'is required' });
    });

    it('GET lists and reads agents with their status; PUT replaces; DELETE removes', async () => {
      store.put({
        ...(await store.get({ kind: 'Agent', namespace: 'kagent', name: 'helper' }))!,
        status: {
          conditions: [
            { type: 'Accepted', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
        },
      });
      const list = await api.call('GET', '/api/agents');
      expect(list.json.data.map((a: { id: string }) => a.id)).toEqual(['kagent__NS__helper']);
      const one = await api.call('GET', '/api/agents/kagent/helper');
      expect(one.json.data).toMatchObject({ accepted: true, deploymentReady: true });
      const updated = await api.call('PUT', '/api/agents', {
        body: agentBody('helper', { systemMessage: 'Be brief.' }),
      });
      expect(updated.status).toBe(200);
      expect(updated.json.data.agent.spec.declarative.systemMessage).toBe('Be brief.');
      expect(updated.json.data.accepted).toBe(true);
      expect((await api.call('PUT', '/api/agents', { body: agentBody('ghost') })).status).toBe(404);
      expect((await api.call('GET', '/api/agents/kagent/ghost')).status).toBe(404);
      expect((await api.call('DELETE', '/api/agents/kagent/helper')).json).toMatchObject({ error: false });
      expect((await api.call('DELETE', '/api/agents/kagent/helper')).status).toBe(404);
    });
  });

  describe('model configs', () => {
    it('POST writes the ModelConfig and a Secret with the key; the key is never returned', async () => {
      const res = await api.call('POST', '/api/modelconfigs', {
        body: {
          ref: 'team-a/writer',
          provider: { name: 'Anthropic', type: 'Anthropic' },
          model: 'model-large',
          apiKey: 'sk-secret-value',
          anthropic: { maxTokens: 512 },
        },
      });
      expect(res.status).toBe(201);
      expect(JSON.stringify(res.json)).not.toContain('sk-secret-value');
      expect(res.json.data.spec).toMatchObject({
        provider: 'Anthropic',
        apiKeySecret: 'writer',
        apiKeySecretKey: 'ANTHROPIC_API_KEY',
        anthropic: { maxTokens: 512 },
      });
      const secret = await store.get({ kind: 'Secret', namespace: 'team-a', name: 'writer' });
      expect(Buffer.from(secret?.data?.['ANTHROPIC_API_KEY'] ?? '', 'base64').toString()).toBe(
        'sk-secret-value',
      );
      expect(secret?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ModelConfig', name: 'writer' });

      const one = await api.call('GET', '/api/modelconfigs/team-a/writer');
      expect(one.json.data).toEqual({
        ref: 'team-a/writer',
        providerName: 'Anthropic',
        model: 'model-large',
        apiKeySecret: 'writer',
        apiKeySecretKey: 'ANTHROPIC_API_KEY',
        modelParams: { maxTokens: 512 },
      });
      const list = await api.call('GET', '/api/modelconfigs');
      expect(list.json.data.map((m: { ref: string }) => m.ref)).toContain('team-a/writer');
    });

    it('rejects bad bodies naming the field, duplicates with 409, unknown configs with 404', async () => {
      const bad = await api.call('POST', '/api/modelconfigs', {
        body: { ref: 'x', provider: { type: 'Nope' }, model: 'm' },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.issues[0].path).toBe('provider.type');
      const noModel = await api.call('POST', '/api/modelconfigs', {
        body: { ref: 'x', provider: { type: 'OpenAI' } },
      });
      expect(noModel.json.message).toMatch(/^model: /);
      const azure = await api.call('POST', '/api/modelconfigs', {
        body: {
          ref: 'az',
          provider: { type: 'AzureOpenAI' },
          model: 'gpt',
          azureOpenAI: { apiVersion: 'v1' },
        },
      });
      expect(azure.status).toBe(400);
      expect(azure.json.issues.map((i: { path: string }) => i.path)).toContain('azureOpenAI.azureEndpoint');
      const dup = await api.call('POST', '/api/modelconfigs', {
        body: { ref: 'team-a/writer', provider: { type: 'Anthropic' }, model: 'm' },
      });
      expect(dup.status).toBe(409);
      expect((await api.call('GET', '/api/modelconfigs/team-a/none')).status).toBe(404);
    });

    it('PUT updates the spec and the key; DELETE removes the config and its Secret', async () => {
      const res = await api.call('PUT', '/api/modelconfigs/team-a/writer', {
        body: { provider: { type: 'Anthropic' }, model: 'model-xl', apiKey: 'sk-new' },
      });
      expect(res.status).toBe(200);
      expect(res.json.data).toMatchObject({ model: 'model-xl', apiKeySecret: 'writer', modelParams: {} });
      const secret = await store.get({ kind: 'Secret', namespace: 'team-a', name: 'writer' });
      expect(Buffer.from(secret?.data?.['ANTHROPIC_API_KEY'] ?? '', 'base64').toString()).toBe('sk-new');
      expect((await api.call('DELETE', '/api/modelconfigs/team-a/writer')).status).toBe(200);
      expect(await store.get({ kind: 'Secret', namespace: 'team-a', name: 'writer' })).toBeUndefined();
      expect((await api.call('DELETE', '/api/modelconfigs/team-a/writer')).status).toBe(404);
    });
  });

  describe('sessions, events and tasks', () => {
    beforeAll(async () => {
      await api.repositories.agents.upsert({ id: 'kagent__NS__chat_bot', type: 'Declarative' });
    });

    it('creates a session for the caller; 409 on a duplicate; 400 naming agent_ref', async () => {
      const created = await api.call('POST', '/api/sessions', {
        user: 'alice',
        body: { id: 's1', name: 'first', agent_ref: 'kagent/chat-bot' },
      });
      expect(created.status).toBe(201);
      expect(created.json.data).toMatchObject({
        id: 's1',
        name: 'first',
        user_id: 'alice',
        agent_id: 'kagent__NS__chat_bot',
      });
      const dup = await api.call('POST', '/api/sessions', {
        user: 'alice',
        body: { id: 's1', agent_ref: 'kagent/chat-bot' },
      });
      expect(dup.status).toBe(409);
      const missing = await api.call('POST', '/api/sessions', { user: 'alice', body: { id: 's2' } });
      expect(missing).toMatchObject({ status: 400, json: { issues: [{ path: 'agent_ref' }] } });
      const unknown = await api.call('POST', '/api/sessions', {
        user: 'alice',
        body: { agent_ref: 'kagent/nobody' },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.json.message).toBe('agent_ref: agent kagent/nobody not found');
    });

    it('keeps sessions per user: same id for two users, invisible to each other', async () => {
      const bob = await api.call('POST', '/api/sessions', {
        user: 'bob',
        userInQuery: true,
        body: { id: 's1', name: 'bobs', agent_ref: 'kagent/chat-bot' },
      });
      expect(bob.status).toBe(201);
      const alice = await api.call('GET', '/api/sessions', { user: 'alice' });
      expect(alice.json.data.map((s: { name: string }) => s.name)).toEqual(['first']);
      const bobs = await api.call('GET', '/api/sessions?user_id=bob');
      expect(bobs.json.data.map((s: { name: string }) => s.name)).toEqual(['bobs']);
      expect((await api.call('GET', '/api/sessions/s1', { user: 'carol' })).status).toBe(404);
      const append = await api.call('POST', '/api/sessions/s1/events', {
        user: 'carol',
        body: { id: 'e0', data: '{}' },
      });
      expect(append.status).toBe(404);
      const byAgent = await api.call('GET', '/api/sessions/agent/kagent/chat-bot', { user: 'bob' });
      expect(byAgent.json.data.map((s: { user_id: string }) => s.user_id)).toEqual(['bob']);
      expect((await api.call('GET', '/api/sessions/agent/kagent/nobody', { user: 'bob' })).status).toBe(404);
    });

    it('appends events and lists them newest first (kagent), or oldest first with order=asc', async () => {
      for (const [i, text] of ['one', 'two', 'three'].entries()) {
        const res = await api.call('POST', '/api/sessions/s1/events', {
          user: 'alice',
          body: { id: `e${i}`, data: JSON.stringify({ text }) },
        });
        expect(res.status).toBe(201);
        expect(res.json.data).toMatchObject({ id: `e${i}`, session_id: 's1', user_id: 'alice' });
      }
      const dup = await api.call('POST', '/api/sessions/s1/events', {
        user: 'alice',
        body: { id: 'e0', data: '{}' },
      });
      expect(dup.status).toBe(409);
      const noId = await api.call('POST', '/api/sessions/s1/events', { user: 'alice', body: { data: '{}' } });
      expect(noId.json.issues[0].path).toBe('id');

      const texts = (json: { data: { events: { data: string }[] } }): string[] =>
        json.data.events.map((e) => (JSON.parse(e.data) as { text: string }).text);
      const desc = await api.call('GET', '/api/sessions/s1', { user: 'alice' });
      expect(desc.json.data.session).toMatchObject({ id: 's1', user_id: 'alice' });
      expect(texts(desc.json)).toEqual(['three', 'two', 'one']);
      const asc = await api.call('GET', '/api/sessions/s1?order=asc&limit=-1', { user: 'alice' });
      expect(texts(asc.json)).toEqual(['one', 'two', 'three']);
      const limited = await api.call('GET', '/api/sessions/s1?limit=2', { user: 'alice' });
      expect(texts(limited.json)).toEqual(['three', 'two']);
      const badLimit = await api.call('GET', '/api/sessions/s1?limit=lots', { user: 'alice' });
      expect(badLimit.json.issues[0].path).toBe('limit');
      const bobEvents = await api.call('GET', '/api/sessions/s1', { user: 'bob' });
      expect(bobEvents.json.data.events).toEqual([]);
    });

    it('stores tasks in our runtime form and in kagent form (an A2A Task)', async () => {
      const ours = await api.call('POST', '/api/tasks', {
        body: { id: 't1', session_id: 's1', data: { id: 't1', status: { state: 'working' } } },
      });
      expect(ours).toMatchObject({ status: 201, json: { data: { id: 't1' } } });
      // As kagent's Python runtime writes it: v0.3 JSON, returned exactly as written.
      const kagentTask = {
        id: 't2',
        contextId: 's1',
        kind: 'task',
        status: {
          state: 'completed',
          timestamp: '2025-06-01T10:00:00.000000+00:00',
          message: {
            kind: 'message',
            messageId: 'm2',
            role: 'agent',
            parts: [{ kind: 'text', text: 'Done.' }],
            metadata: { kagent_author: 'k8s_agent' },
          },
        },
        history: [{ kind: 'message', messageId: 'm1', role: 'user', parts: [{ kind: 'text', text: 'go' }] }],
        artifacts: [{ artifactId: 'a1', parts: [{ kind: 'text', text: 'Done.' }] }],
        metadata: { kagent_app_name: 'k8s_agent' },
      };
      const kagent = await api.call('POST', '/api/tasks', { user: 'alice', body: kagentTask });
      expect(kagent.status).toBe(201);
      expect(kagent.json.data).toEqual(kagentTask);
      expect((await api.call('GET', '/api/tasks/t2')).json.data).toEqual(kagentTask);
      expect((await api.call('GET', '/api/tasks/t2', { user: 'bob' })).status).toBe(404);
      const bad = await api.call('POST', '/api/tasks', { body: { id: 't3', session_id: 's1' } });
      expect(bad.json.issues[0].path).toBe('data');
      const noContext = await api.call('POST', '/api/tasks', { body: { id: 't3' } });
      expect(noContext.json.issues[0].path).toBe('contextId');

      const tasks = await api.call('GET', '/api/sessions/s1/tasks', { user: 'alice' });
      expect(tasks.json.data.map((t: { id: string }) => t.id)).toEqual(['t1', 't2']);
      expect((await api.call('GET', '/api/sessions/s9/tasks', { user: 'alice' })).status).toBe(404);

      expect((await api.call('DELETE', '/api/tasks/t1')).status).toBe(204);
      expect((await api.call('GET', '/api/tasks/t1')).status).toBe(404);
      expect((await api.call('DELETE', '/api/tasks/t1')).status).toBe(404);
    });

    it('answers every task as A2A v0.3 JSON, whatever form the runtime wrote', async () => {
      // Our runtime posts the A2A 1.0 SDK's task (numeric state and role, parts by `$case`).
      const sdkMessage = (id: string, role: number, text: string) => ({
        messageId: id,
        contextId: 's1',
        taskId: 'sdk-1',
        role,
        parts: [{ content: { $case: 'text', value: text }, filename: '', mediaType: 'text/plain' }],
        extensions: [],
        referenceTaskIds: [],
      });
      const posted = await api.call('POST', '/api/tasks', {
        body: {
          id: 'sdk-1',
          session_id: 's1',
          data: {
            id: 'sdk-1',
            contextId: 's1',
            status: { state: 6, message: sdkMessage('m2', 2, 'approve?'), timestamp: '2025-06-01T10:00:00Z' },
            history: [sdkMessage('m1', 1, 'delete it')],
            artifacts: [],
          },
        },
      });
      const v03 = {
        kind: 'task',
        id: 'sdk-1',
        contextId: 's1',
        status: {
          state: 'input-required',
          timestamp: '2025-06-01T10:00:00Z',
          message: {
            kind: 'message',
            messageId: 'm2',
            role: 'agent',
            parts: [{ kind: 'text', text: 'approve?' }],
            contextId: 's1',
            taskId: 'sdk-1',
          },
        },
        history: [
          {
            kind: 'message',
            messageId: 'm1',
            role: 'user',
            parts: [{ kind: 'text', text: 'delete it' }],
            contextId: 's1',
            taskId: 'sdk-1',
          },
        ],
        artifacts: [],
      };
      expect(posted).toMatchObject({ status: 201, json: { data: v03 } });
      expect((await api.call('GET', '/api/tasks/sdk-1')).json.data).toEqual(v03);
      // Stored normalised, so the version column says what the document is.
      const row = await api.repositories.tasks.get('sdk-1');
      expect(row).toMatchObject({ protocolVersion: '0.3', data: v03 });

      // A2A 1.0 JSON (enum names) in kagent's form.
      const v1 = await api.call('POST', '/api/tasks', {
        user: 'alice',
        body: {
          id: 'v1-1',
          contextId: 's1',
          status: { state: 'TASK_STATE_COMPLETED' },
          artifacts: [{ artifactId: 'a', parts: [{ text: 'done' }, { data: { n: 1 } }] }],
        },
      });
      expect(v1.json.data).toEqual({
        kind: 'task',
        id: 'v1-1',
        contextId: 's1',
        status: { state: 'completed' },
        history: [],
        artifacts: [
          {
            artifactId: 'a',
            parts: [
              { kind: 'text', text: 'done' },
              { kind: 'data', data: { n: 1 } },
            ],
          },
        ],
      });

      // A row kept in the SDK form (written before tasks were normalised) is converted on the way out.
      await api.repositories.tasks.upsert({
        id: 'old-1',
        sessionId: 's1',
        data: { id: 'old-1', contextId: 's1', status: { state: 4 }, history: [], artifacts: [] },
      });
      const list = await api.call('GET', '/api/sessions/s1/tasks', { user: 'alice' });
      const byId = new Map(list.json.data.map((t: { id: string }) => [t.id, t]));
      expect(byId.get('sdk-1')).toEqual(v03);
      expect(byId.get('v1-1')).toMatchObject({ kind: 'task', status: { state: 'completed' } });
      expect(byId.get('old-1')).toEqual({
        kind: 'task',
        id: 'old-1',
        contextId: 's1',
        status: { state: 'failed' },
        history: [],
        artifacts: [],
      });

      const notATask = await api.call('POST', '/api/tasks', {
        body: { id: 'bad', session_id: 's1', data: 'not json' },
      });
      expect(notATask).toMatchObject({
        status: 400,
        json: { message: 'data: must be an A2A task object', issues: [{ path: 'data' }] },
      });
      for (const id of ['sdk-1', 'v1-1', 'old-1']) await api.call('DELETE', `/api/tasks/${id}`);
    });

    it('renames and deletes a session of the caller only', async () => {
      const renamed = await api.call('PUT', '/api/sessions/s1', { user: 'alice', body: { name: 'renamed' } });
      expect(renamed.json.data.name).toBe('renamed');
      expect((await api.call('PUT', '/api/sessions/s1', { user: 'alice', body: {} })).status).toBe(400);
      expect((await api.call('PUT', '/api/sessions/zz', { user: 'alice', body: { name: 'x' } })).status).toBe(
        404,
      );
      expect((await api.call('DELETE', '/api/sessions/s1', { user: 'alice' })).status).toBe(200);
      expect((await api.call('GET', '/api/sessions/s1', { user: 'alice' })).status).toBe(404);
      expect((await api.call('GET', '/api/sessions/s1', { user: 'bob' })).status).toBe(200);
    });
  });

  describe('tools and tool servers', () => {
    beforeAll(async () => {
      await api.repositories.tools.replaceServerTools({
        server: { name: 'kagent/everything', groupKind: 'RemoteMCPServer.kagent.dev', description: 'demo' },
        tools: [
          { id: 'echo', description: 'Echoes' },
          { id: 'add', description: 'Adds' },
        ],
      });
    });

    it('lists discovered tools and tool servers from the database', async () => {
      const tools = await api.call('GET', '/api/tools');
      expect(tools.json.data.map((t: { id: string }) => t.id)).toEqual(['add', 'echo']);
      expect(tools.json.data[0]).toMatchObject({
        server_name: 'kagent/everything',
        group_kind: 'RemoteMCPServer.kagent.dev',
      });
      const servers = await api.call('GET', '/api/toolservers');
      expect(servers.json.data).toEqual([
        {
          ref: 'kagent/everything',
          groupKind: 'RemoteMCPServer.kagent.dev',
          discoveredTools: [
            { name: 'add', description: 'Adds' },
            { name: 'echo', description: 'Echoes' },
          ],
        },
      ]);
      const types = await api.call('GET', '/api/toolservertypes');
      expect(types.json.data).toEqual(['RemoteMCPServer', 'MCPServer']);
    });

    it('creates, reads and deletes tool servers as resources; validates naming the field', async () => {
      const created = await api.call('POST', '/api/toolservers', {
        body: {
          type: 'RemoteMCPServer',
          remoteMCPServer: {
            metadata: { name: 'remote', namespace: 'kagent' },
            spec: { description: 'remote', url: 'http://x:1/mcp' },
          },
        },
      });
      expect(created.status).toBe(201);
      expect(created.json.data).toMatchObject({ kind: 'RemoteMCPServer', spec: { url: 'http://x:1/mcp' } });
      const bad = await api.call('POST', '/api/toolservers', {
        body: {
          type: 'RemoteMCPServer',
          remoteMCPServer: { metadata: { name: 'nourl' }, spec: { description: 'd' } },
        },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.issues.map((i: { path: string }) => i.path)).toEqual(['remoteMCPServer.spec.url']);
      const badType = await api.call('POST', '/api/toolservers', { body: { type: 'Service' } });
      expect(badType.json.issues[0].path).toBe('type');
      expect((await api.call('GET', '/api/toolservers/kagent/remote')).json.data.kind).toBe(
        'RemoteMCPServer',
      );
      expect((await api.call('DELETE', '/api/toolservers/kagent/remote')).status).toBe(200);
      expect((await api.call('DELETE', '/api/toolservers/kagent/remote')).status).toBe(404);
    });
  });

  describe('providers, models, namespaces, memories, feedback', () => {
    it('lists supported providers with their parameters from the CRD schema', async () => {
      const res = await api.call('GET', '/api/modelproviderconfigs/models');
      const azure = res.json.data.find((p: { type: string }) => p.type === 'AzureOpenAI');
      expect(azure.requiredParams).toEqual(expect.arrayContaining(['azureEndpoint', 'apiVersion']));
      const openai = res.json.data.find((p: { type: string }) => p.type === 'OpenAI');
      expect(openai.optionalParams).toContain('baseUrl');
      expect(openai.requiredParams).toEqual([]);
    });

    it('lists configured providers and their discovered models; /api/models groups models', async () => {
      store.put({
        apiVersion: 'kagent.dev/v1alpha2',
        kind: 'ModelProviderConfig',
        metadata: { name: 'openai', namespace: 'kagent' },
        spec: { type: 'OpenAI', endpoint: 'https://api.example', secretRef: { name: 'k' } },
        status: { conditions: [{ type: 'Ready', status: 'True' }], discoveredModels: ['gpt-a', 'gpt-b'] },
      });
      const configured = await api.call('GET', '/api/modelproviderconfigs/configured');
      expect(configured.json.data).toEqual([
        expect.objectContaining({ name: 'openai', type: 'OpenAI', ready: true, modelCount: 2 }),
      ]);
      const models = await api.call('GET', '/api/modelproviderconfigs/configured/openai/models');
      expect(models.json.data).toEqual(['gpt-a', 'gpt-b']);
      expect((await api.call('GET', '/api/modelproviderconfigs/configured/none/models')).status).toBe(404);
      const all = await api.call('GET', '/api/models');
      expect(all.json.data['OpenAI'].map((m: { name: string }) => m.name)).toEqual([
        'gpt-4o-mini',
        'gpt-a',
        'gpt-b',
      ]);
    });

    it('lists namespaces', async () => {
      const res = await api.call('GET', '/api/namespaces');
      expect(res.json.data).toEqual([
        { name: 'kagent', status: 'Active' },
        { name: 'team-a', status: 'Active' },
      ]);
    });

    it('memories: agent_name is required; none are kept without a memory store', async () => {
      const missing = await api.call('GET', '/api/memories');
      expect(missing).toMatchObject({ status: 400, json: { issues: [{ path: 'agent_name' }] } });
      const list = await api.call('GET', '/api/memories?agent_name=kagent/chat-bot');
      expect(list.json).toMatchObject({ error: false, data: [] });
      const del = await api.call('DELETE', '/api/memories?agent_name=kagent/chat-bot');
      expect(del.json.data).toEqual({ deleted: 0 });
    });

    it('records feedback per user', async () => {
      const created = await api.call('POST', '/api/feedback', {
        user: 'alice',
        body: { message_id: 42, is_positive: false, feedback_text: 'wrong', issue_type: 'factual' },
      });
      expect(created.status).toBe(201);
      expect(created.json.data).toMatchObject({ user_id: 'alice', message_id: '42', issue_type: 'factual' });
      const bad = await api.call('POST', '/api/feedback', { body: { feedback_text: 'x' } });
      expect(bad.json.issues[0].path).toBe('is_positive');
      expect((await api.call('GET', '/api/feedback', { user: 'alice' })).json.data).toHaveLength(1);
      expect((await api.call('GET', '/api/feedback', { user: 'bob' })).json.data).toEqual([]);
    });
  });
});

describe('failures', () => {
  let engine: EngineDatabase;
  beforeAll(async () => {
    engine = await openEngine('pglite', undefined);
  });
  afterAll(() => engine?.dispose());

  it('an unexpected error is a 500 without internals', async () => {
    const broken = new InMemoryResourceStore();
    broken.list = () => Promise.reject(new Error('etcd exploded at 10.0.0.7'));
    const api = await startApiHarness({ engine, resources: broken });
    try {
      const res = await api.call('GET', '/api/agents');
      expect(res).toMatchObject({
        status: 500,
        json: { error: 'Internal Server Error', message: 'internal error', code: 'INTERNAL' },
      });
      expect(JSON.stringify(res.json)).not.toContain('10.0.0.7');
    } finally {
      await api.close();
    }
  });

  it('watchNamespaces hides and protects other namespaces', async () => {
    const api = await startApiHarness({ engine, api: { watchNamespaces: ['kagent'] } });
    try {
      const res = await api.call('POST', '/api/agents', {
        body: { ...agentBody('x'), metadata: { name: 'x', namespace: 'default' } },
      });
      expect(res.status).toBe(403);
      expect((await api.call('GET', '/api/namespaces')).json.data).toEqual([
        { name: 'kagent', status: 'Active' },
      ]);
    } finally {
      await api.close();
    }
  });
});
