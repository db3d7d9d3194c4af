// The subset of Go's text/template that kagent's system message templates use: text, `{{.Field}}`,
// `{{.}}`, `{{include "alias/key"}}`, `{{if}}`/`{{with}}`/`{{range}}` with `{{else}}` and `{{end}}`,
// comments and `{{-`/`-}}` trimming. Anything else is rejected with an error naming the action.

/** The variables a system message template can use. */
export interface PromptTemplateContext {
  AgentName: string;
  AgentNamespace: string;
  Description: string;
  ToolNames: string[];
  SkillNames: string[];
}

/** A template that cannot be parsed or executed; `message` says where and why. */
export class PromptTemplateError extends Error {
  override readonly name = 'PromptTemplateError';
  readonly code = 'PROMPT_TEMPLATE_INVALID';
}

type Value = string | string[] | PromptTemplateContext;

type Expr = { kind: 'dot' } | { kind: 'field'; name: string } | { kind: 'include'; path: string };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; expr: Expr }
  | { kind: 'block'; keyword: 'if' | 'with' | 'range'; expr: Expr; body: Node[]; otherwise: Node[] };

interface Action {
  kind: 'action';
  body: string;
  offset: number;
}
type Token = { kind: 'text'; text: string } | Action;

const SPACE = /[ \t\r\n]/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = open === -1 ? src.slice(pos) : src.slice(pos, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open === -1) {
      if (text) tokens.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && SPACE.test(src[start + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 1;
    }
    if (text) tokens.push({ kind: 'text', text });
    const close = findClose(src, start);
    if (close === -1) throw new PromptTemplateError(`unclosed action at offset ${open}`);
    let end = close;
    if (src[close - 1] === '-' && SPACE.test(src[close - 2] ?? '')) {
      trimNext = true;
      end = close - 1;
    }
    const body = src.slice(start, end).trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) tokens.push({ kind: 'action', body, offset: open });
    pos = close + 2;
  }
  return tokens;
}

/** Finds the `}}` closing an action, skipping over string literals and comments. */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === '`') {
      const quote = c;
      i += 1;
      while (i < src.length && src[i] !== quote) i += src[i] === '\\' && quote === '"' ? 2 : 1;
      i += 1;
      continue;
    }
    if (src.startsWith('/*', i)) {
      const endComment = src.indexOf('*/', i + 2);
      if (endComment === -1) return -1;
      i = endComment + 2;
      continue;
    }
    if (src.startsWith('}}', i)) return i;
    i += 1;
  }
  return -1;
}

function unsupported(action: Action, why: string): PromptTemplateError {
  return new PromptTemplateError(
    `unsupported template syntax {{${action.body}}} at offset ${action.offset}: ${why}; ` +
      'supported: {{.Field}}, {{.}}, {{include "source/key"}}, {{if}}, {{with}}, {{range}}, {{else}}, {{end}}',
  );
}

function parseStringLiteral(text: string, action: Action): string {
  if (text.startsWith('`') && text.endsWith('`') && text.length >= 2) return text.slice(1, -1);
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) {
    try {
      return JSON.parse(text) as string;
    } catch {
      throw unsupported(action, 'invalid string literal');
    }
  }
  throw unsupported(action, 'include takes one quoted "source/key" argument');
}

function parseExpr(text: string, action: Action): Expr {
  const t = text.trim();
  if (t === '.') return { kind: 'dot' };
  if (/^\.[A-Za-z_][A-Za-z0-9_]*$/.test(t)) return { kind: 'field', name: t.slice(1) };
  const include = /^include\s+(.+)$/s.exec(t);
  if (include) return { kind: 'include', path: parseStringLiteral((include[1] ?? '').trim(), action) };
  if (/^include\s*\(\s*(.+)\s*\)$/s.test(t)) {
    const inner = /^include\s*\(\s*(.+)\s*\)$/s.exec(t)?.[1] ?? '';
    return { kind: 'include', path: parseStringLiteral(inner.trim(), action) };
  }
  if (t.includes('|')) throw unsupported(action, 'pipelines are not supported');
  if (t.startsWith('$')) throw unsupported(action, 'variables are not supported');
  throw unsupported(action, 'unknown function or expression');
}

function parse(tokens: Token[]): Node[] {
  let i = 0;
  const parseList = (inBlock: boolean): { nodes: Node[]; stop?: 'else' | 'end' } => {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const tok = tokens[i++] as Token;
      if (tok.kind === 'text') {
        nodes.push({ kind: 'text', text: tok.text });
        continue;
      }
      const keyword = /^(\w+)\b/.exec(tok.body)?.[1];
      if (keyword === 'end' || keyword === 'else') {
        if (!inBlock) throw unsupported(tok, `{{${keyword}}} without an open if, with or range`);
        if (tok.body !== keyword) throw unsupported(tok, `{{${keyword}}} takes no arguments`);
        return { nodes, stop: keyword };
      }
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        const expr = parseExpr(tok.body.slice(keyword.length), tok);
        const body = parseList(true);
        let otherwise: Node[] = [];
        if (body.stop === 'else') {
          const rest = parseList(true);
          if (rest.stop !== 'end') throw unsupported(tok, 'missing {{end}}');
          otherwise = rest.nodes;
        } else if (body.stop !== 'end') throw unsupported(tok, 'missing {{end}}');
        nodes.push({ kind: 'block', keyword, expr, body: body.nodes, otherwise });
        continue;
      }
      if (keyword && ['define', 'template', 'block', 'break', 'continue'].includes(keyword)) {
        throw unsupported(tok, `{{${keyword}}} is not supported`);
      }
      nodes.push({ kind: 'print', expr: parseExpr(tok.body, tok) });
    }
    if (inBlock) throw new PromptTemplateError('missing {{end}} at the end of the template');
    return { nodes };
  };
  return parseList(false).nodes;
}

const FIELDS: readonly (keyof PromptTemplateContext)[] = [
  'AgentName',
  'AgentNamespace',
  'Description',
  'ToolNames',
  'SkillNames',
];

function evaluate(
  expr: Expr,
  dot: Value,
  ctx: PromptTemplateContext,
  lookup: ReadonlyMap<string, string>,
): Value {
  switch (expr.kind) {
    case 'dot':
      return dot;
    case 'field': {
      if (typeof dot === 'string' || Array.isArray(dot)) {
        throw new PromptTemplateError(
          `can't evaluate field ${expr.name} on a ${typeof dot === 'string' ? 'string' : 'list'}`,
        );
      }
      if (!(FIELDS as readonly string[]).includes(expr.name)) {
        throw new PromptTemplateError(
          `unknown variable .${expr.name}; available: ${FIELDS.map((f) => `.${f}`).join(', ')}`,
        );
      }
      return dot[expr.name as keyof PromptTemplateContext];
    }
    case 'include': {
      const content = lookup.get(expr.path);
      if (content === undefined) {
        const available = [...lookup.keys()].sort();
        throw new PromptTemplateError(
          `include "${expr.path}": no such key in promptTemplate.dataSources (available: ${available.join(', ') || 'none'})`,
        );
      }
      return content;
    }
  }
}

function truthy(v: Value): boolean {
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  return true;
}

function print(v: Value): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.join(' ')}]`;
  throw new PromptTemplateError('cannot print the whole template context; use a field such as .AgentName');
}

function execute(
  nodes: Node[],
  dot: Value,
  ctx: PromptTemplateContext,
  lookup: ReadonlyMap<string, string>,
  out: string[],
): void {
  for (const node of nodes) {
    if (node.kind === 'text') out.push(node.text);
    else if (node.kind === 'print') out.push(print(evaluate(node.expr, dot, ctx, lookup)));
    else {
      const value = evaluate(node.expr, dot, ctx, lookup);
      if (node.keyword === 'range') {
        const items = Array.isArray(value) ? value : undefined;
        if (items === undefined) throw new PromptTemplateError('range needs a list such as .ToolNames');
        if (items.length === 0) execute(node.otherwise, dot, ctx, lookup, out);
        for (const item of items) execute(node.body, item, ctx, lookup, out);
      } else if (truthy(value)) {
        execute(node.body, node.keyword === 'with' ? value : dot, ctx, lookup, out);
      } else {
        execute(node.otherwise, dot, ctx, lookup, out);
      }
    }
  }
}

/**
 * Renders a system message template. `lookup` maps `alias/key` to the included text (included
 * text is not itself a template). Throws {@link PromptTemplateError}.
 */
export function renderPromptTemplate(
  template: string,
  context: PromptTemplateContext,
  lookup: ReadonlyMap<string, string>,
): string {
  const nodes = parse(tokenize(template));
  const out: string[] = [];
  execute(nodes, context, context, lookup, out);
  return out.join('');
}
