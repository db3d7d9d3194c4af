// Public surface of the mock LLM (package entry "@agentplane/testing/mock-llm").
export { startMockLlm } from './start-mock-llm.js';
export type { MockLlm, MockLlmOptions, RecordedRequest, RuleUsage } from './mock-llm-types.js';
export { loadMockLlmScript, parseMockLlmScript } from './load-script.js';
export { MockLlmScriptError, type ScriptIssue } from './mock-llm-script-error.js';
export { scriptSchema as mockLlmScriptSchema } from './script-schema.js';
export type {
  ErrorReplySpec,
  FinishReason,
  KagentAnthropicMock,
  KagentOpenAIMock,
  MessageRole,
  MockLlmRule,
  MockLlmScript,
  ParsedScript,
  Provider,
  RawReplySpec,
  ResponseSpec,
  RuleMatch,
  ToolCallSpec,
} from './script-schema.js';
