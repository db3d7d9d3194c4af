const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Formats a field path the way users read it: `spec.declarative.tools[2].mcpServer.toolNames`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}
