import type { ToolDefinition } from '@agentplane/llm-client';

/** The built-in tool that pauses the task until the user answers a question. */
export const ASK_USER_TOOL_NAME = 'ask_user';

export const askUserToolDefinition: ToolDefinition = {
  name: ASK_USER_TOOL_NAME,
  description:
    'Ask the user a question and wait for the answer. Use it when you need information or a choice only the user can give.',
  parameters: {
    type: 'object',
    properties: { question: { type: 'string', description: 'The question to ask the user.' } },
    required: ['question'],
  },
};
