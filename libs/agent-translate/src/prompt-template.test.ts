import { describe, expect, it } from 'vitest';
import { PromptTemplateError, renderPromptTemplate, type PromptTemplateContext } from './prompt-template.js';

const ctx: PromptTemplateContext = {
  AgentName: 'k8s',
  AgentNamespace: 'ops',
  Description: 'helps',
  ToolNames: ['a', 'b'],
  SkillNames: [],
};
const lookup = new Map([['p/intro', 'Hi {{.AgentName}}']]);

describe('renderPromptTemplate', () => {
  it('renders fields, includes (as plain text), range, if/else and trimming', () => {
    const out = renderPromptTemplate(
      '{{include "p/intro"}} {{.AgentName}}@{{.AgentNamespace}}: {{range .ToolNames}}{{.}};{{end}}\n' +
        '{{- if .SkillNames}} skills{{else}} none{{end -}}\n {{/* note */}}{{.ToolNames}}',
      ctx,
      lookup,
    );
    expect(out).toBe('Hi {{.AgentName}} k8s@ops: a;b; none[a b]');
  });

  it('names a missing include and lists what is available', () => {
    expect(() => renderPromptTemplate('{{include "p/missing"}}', ctx, lookup)).toThrow(
      /p\/missing.*p\/intro/,
    );
  });

  it('rejects unsupported syntax with a clear error', () => {
    expect(() => renderPromptTemplate('{{.AgentName | upper}}', ctx, lookup)).toThrow(PromptTemplateError);
    expect(() => renderPromptTemplate('{{printf "%s" .AgentName}}', ctx, lookup)).toThrow(
      /unsupported template syntax/,
    );
    expect(() => renderPromptTemplate('{{.Nope}}', ctx, lookup)).toThrow(/unknown variable \.Nope/);
    expect(() => renderPromptTemplate('{{if .AgentName}}x', ctx, lookup)).toThrow(/missing \{\{end\}\}/);
  });
});
