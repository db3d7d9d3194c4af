// Stop reasons between OpenAI chat (`finish_reason`) and the other formats.

export function anthropicToOpenAiStop(r: string | null | undefined): string | null {
  switch (r) {
    case null:
    case undefined:
      return null;
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop'; // end_turn, stop_sequence, pause_turn
  }
}

export function openAiToAnthropicStop(r: string | null | undefined): string | null {
  switch (r) {
    case null:
    case undefined:
      return null;
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

export function geminiToOpenAiStop(r: string | undefined, hasToolCalls: boolean): string | null {
  if (r === undefined) return null;
  if (hasToolCalls) return 'tool_calls';
  switch (r) {
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** OpenAI finish reasons -> Gemini's (a function call finishes with STOP there). */
export function openAiToGeminiStop(r: string | null | undefined): string | undefined {
  switch (r) {
    case null:
    case undefined:
      return undefined;
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    default:
      return 'STOP';
  }
}

export function bedrockToOpenAiStop(r: string | undefined): string | null {
  switch (r) {
    case undefined:
      return null;
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
}
