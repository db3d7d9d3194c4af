import Anthropic from '@anthropic-ai/sdk';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMockLlmScript, parseMockLlmScript } from './load-script.js';
import { MockLlmScriptError } from './mock-llm-script-error.js';
import type { MockLlm } from './mock-llm-types.js';
import { startMockLlm } from './start-mock-llm.js';

const kagentScript = fileURLToPath(new URL('./testdata/kagent-script.json', import.meta.url));

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseMockLlmScript(input);
  } catch (err) {
    if (err instanceof MockLlmScriptError) return [...err.issues];
    throw err;
  }
  throw new Error('expected the script to be rejected');
}

describe('mock LLM scripts', () => {
  describe('kagent mock LLM format', () => {
    let llm: MockLlm;
    let openai: OpenAI;
    let anthropic: Anthropic;

    beforeAll(async () => {
      llm = await startMockLlm({ script: await loadMockLlmScript(kagentScript) });
      openai = new OpenAI({ baseURL: llm.baseUrlOpenAI, apiKey: 'k', maxRetries: 0 });
      anthropic = new Anthropic({ baseURL: llm.baseUrlAnthropic, apiKey: 'k', maxRetries: 0 });
    });

    afterAll(async () => {
      await llm.close();
    });

    it('serves the scripted chat.completion verbatim to a buffered request', async () => {
      const completion = await openai.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 'List all pods in the cluster' }],
      });
      expect(completion.id).toBe('chatcmpl-kagent-1');
      expect(completion.created).toBe(1735689600);
      expect(completion.choices[0]?.message.tool_calls?.[0]).toEqual({
        id: 'call_pods_1',
        type: 'function',
        function: { name: 'k8s_get_resources', arguments: '{"resource_type":"pods","all_namespaces":true}' },
      });
    });

    it('streams the scripted chat.completion, tool calls and usage included', async () => {
      const stream = openai.chat.completions.stream({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 'List all pods' }],
        stream_options: { include_usage: true },
      });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0]?.message.tool_calls?.[0];
      if (call?.type !== 'function') throw new Error('expected a function tool call');
      expect(call.id).toBe('call_pods_1');
      expect(JSON.parse(call.function.arguments)).toEqual({ resource_type: 'pods', all_namespaces: true });
      expect(final.choices[0]?.finish_reason).toBe('tool_calls');
      expect(final.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 12 });
    });

    it('matches the tool message by role and content, and exact messages', async () => {
      const completion = await openai.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [
          { role: 'user', content: 'List all pods' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              {
                id: 'call_pods_1',
                type: 'function',
                function: { name: 'k8s_get_resources', arguments: '{}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_pods_1', content: 'NAME\nkagent-controller-abc 1/1 Running' },
        ],
      });
      expect(completion.choices[0]?.message.content).toBe('There is one pod: kagent-controller.');

      const exact = await openai.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 'hello' }],
      });
      expect(exact.choices[0]?.message.content).toBe('Hi from kagent format');
      await expect(
        openai.chat.completions.create({
          model: 'gpt-4.1-mini',
          messages: [{ role: 'user', content: 'hello!' }],
        }),
      ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });

    it('serves the anthropic entries, buffered and streamed', async () => {
      const buffered = await anthropic.messages.create({
        model: 'mock-anthropic-model',
        max_tokens: 100,
        messages: [{ role: 'user', content: "what's the weather like?" }],
      });
      expect(buffered.id).toBe('msg_kagent_1');
      expect(buffered.content[1]).toEqual({
        type: 'tool_use',
        id: 'toolu_weather_1',
        name: 'get_weather',
        input: { city: 'Paris' },
      });
      const streamed = await anthropic.messages
        .stream({
          model: 'mock-anthropic-model',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'weather?' }],
        })
        .finalMessage();
      expect(streamed.id).toBe('msg_kagent_1');
      expect(streamed.content).toEqual(buffered.content);
      expect(streamed.stop_reason).toBe('tool_use');
      expect(streamed.usage.output_tokens).toBe(15);
    });

    it('keeps kagent entries to their own provider', async () => {
      await expect(
        anthropic.messages.create({
          model: 'mock-anthropic-model',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'List all pods' }],
        }),
      ).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    });
  });

  describe('rule semantics', () => {
    it('renders a raw body of one provider for the other, and honours match options', async () => {
      const llm = await startMockLlm({
        rules: [
          { match: { regex: 'ping\\s+\\d+', stream: true }, response: { content: 'pong (streamed)' } },
          { match: { exact: 'PING', ignoreCase: true }, response: { content: 'pong' } },
          {
            match: { provider: 'anthropic', contains: 'raw' },
            raw: {
              openai: { choices: [{ message: { content: 'from openai body' }, finish_reason: 'length' }] },
            },
          },
        ],
      });
      try {
        const openai = new OpenAI({ baseURL: llm.baseUrlOpenAI, apiKey: 'k', maxRetries: 0 });
        const anthropic = new Anthropic({ baseURL: llm.baseUrlAnthropic, apiKey: 'k', maxRetries: 0 });
        const plain = await openai.chat.completions.create({
          model: 'm',
          messages: [{ role: 'user', content: 'ping' }],
        });
        expect(plain.choices[0]?.message.content).toBe('pong');
        const streamed = await openai.chat.completions
          .stream({ model: 'm', messages: [{ role: 'user', content: 'ping 42' }] })
          .finalChatCompletion();
        expect(streamed.choices[0]?.message.content).toBe('pong (streamed)');
        await expect(
          openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping 42' }] }),
        ).rejects.toMatchObject({ status: 404 });
        const converted = await anthropic.messages.create({
          model: 'mock-anthropic-model',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'raw please' }],
        });
        expect(converted.content).toEqual([{ type: 'text', text: 'from openai body' }]);
        expect(converted.stop_reason).toBe('max_tokens');
        expect(converted.id).toMatch(/^msg_/);
      } finally {
        await llm.close();
      }
    });

    it('replaces rules with setRules and resets use counts', async () => {
      const llm = await startMockLlm({ rules: [{ name: 'old', response: { content: 'old' }, times: 1 }] });
      try {
        const openai = new OpenAI({ baseURL: llm.baseUrlOpenAI, apiKey: 'k', maxRetries: 0 });
        const ask = () =>
          openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
        expect((await ask()).choices[0]?.message.content).toBe('old');
        await expect(ask()).rejects.toMatchObject({ status: 404 });
        llm.setRules({ rules: [{ name: 'new', response: { content: 'new' } }] });
        expect((await ask()).choices[0]?.message.content).toBe('new');
        expect(llm.ruleUsage()).toEqual([{ name: 'new', path: 'rules[0]', uses: 1, times: undefined }]);
        expect(() => llm.setRules([{ match: { regex: '(' }, response: {} }])).toThrow(MockLlmScriptError);
        await expect(llm.waitForRequests(3, 1000)).resolves.toHaveLength(3);
        await expect(llm.waitForRequests(9, 50)).rejects.toThrow('expected 9 request(s)');
      } finally {
        await llm.close();
      }
    });

    it('refuses rules and script together', async () => {
      await expect(startMockLlm({ rules: [], script: {} })).rejects.toBeInstanceOf(TypeError);
    });
  });

  describe('validation', () => {
    it('names the JSON path of each problem', () => {
      const issues = issuesOf({
        rules: [
          { match: { contains: 'a' }, respons: { content: 'typo' } },
          { match: { regex: '([a-z' }, response: { content: 'x' } },
          { response: { toolCalls: [{ arguments: {} }] } },
          { error: { status: 200 } },
          { response: { content: 'x' }, error: { status: 500 } },
        ],
        openai: [
          {
            name: 'k',
            match: { match_type: 'fuzzy', message: { role: 'user', content: 'x' } },
            response: {},
          },
        ],
        extra: true,
      });
      const byPath = new Map<string, string>();
      for (const issue of issues) byPath.set(issue.path, `${byPath.get(issue.path) ?? ''}${issue.message}\n`);
      expect(byPath.get('rules[0]')).toMatch(/unknown key.*"respons"/);
      expect(byPath.get('rules[1].match.regex')).toMatch(/invalid regular expression/);
      expect(byPath.has('rules[2].response.toolCalls[0].name')).toBe(true);
      expect(byPath.has('rules[3].error.status')).toBe(true);
      expect(byPath.get('rules[4].error')).toMatch(/not both/);
      expect(byPath.has('openai[0].match.match_type')).toBe(true);
      expect(byPath.get('$')).toMatch(/unknown key.*"extra"/);
    });

    it('reports a bad file with its name and the path in the message', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mock-llm-'));
      try {
        const bad = join(dir, 'bad.json');
        await writeFile(bad, JSON.stringify({ rules: [{ match: { role: 'robot' }, response: {} }] }));
        const err = await loadMockLlmScript(bad).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MockLlmScriptError);
        expect((err as MockLlmScriptError).code).toBe('MOCK_LLM_INVALID_SCRIPT');
        expect((err as Error).message).toContain(bad);
        expect((err as Error).message).toContain('rules[0].match.role');

        const notJson = join(dir, 'not.json');
        await writeFile(notJson, '{ "rules": [');
        await expect(loadMockLlmScript(notJson)).rejects.toThrow(/not valid JSON/);
        await expect(loadMockLlmScript(join(dir, 'missing.json'))).rejects.toThrow(/cannot read file/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
