function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rewriteInterfaces(value: unknown, url: string): unknown {
  if (!Array.isArray(value)) return value;
  return (value as unknown[]).map((entry) =>
    isObject(entry) && typeof entry['url'] === 'string' ? { ...entry, url } : entry,
  );
}

/**
 * The agent card with every address replaced by `url` (the agent behind the controller's proxy):
 * v0.3 `url` and `additionalInterfaces[].url`, v1.0 `supportedInterfaces[].url`. Anything else
 * is kept as the agent served it.
 */
export function rewriteAgentCard(card: unknown, url: string): unknown {
  if (!isObject(card)) return card;
  const out: Record<string, unknown> = { ...card };
  if (typeof out['url'] === 'string') out['url'] = url;
  if ('additionalInterfaces' in out)
    out['additionalInterfaces'] = rewriteInterfaces(out['additionalInterfaces'], url);
  if ('supportedInterfaces' in out)
    out['supportedInterfaces'] = rewriteInterfaces(out['supportedInterfaces'], url);
  return out;
}
