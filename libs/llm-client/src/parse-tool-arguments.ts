/** Parses a model's tool-arguments JSON text into an object. */
export function parseToolArguments(text: string): { arguments: Record<string, unknown>; error?: string } {
  if (text.trim() === '') return { arguments: {} };
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return { arguments: value as Record<string, unknown> };
    }
    return { arguments: {}, error: 'tool arguments are not a JSON object' };
  } catch (err) {
    return { arguments: {}, error: `tool arguments are not valid JSON: ${(err as Error).message}` };
  }
}
