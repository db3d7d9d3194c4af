// The upstream core-type validators (kubernetes-models with ajv) are loaded the first time a
// value of their type is validated, not when the schemas are built.
import { registerHooks } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';

const files = new Set<string>();
const hooks = registerHooks({
  load(url, context, nextLoad) {
    files.add(url);
    return nextLoad(url, context);
  },
});
const loaded = (pkg: string): boolean => [...files].some((url) => url.includes(`/${pkg}/`));

describe('core-type validators', () => {
  afterAll(() => hooks.deregister());

  it('load on the first value of a core type, and then validate it', async () => {
    const { parseAgent } = await import('../kagent/parse-kagent.js');
    const spec = { type: 'Declarative', declarative: { systemMessage: 'Help.' } };
    const plain = parseAgent({ metadata: { name: 'a', namespace: 'ns' }, spec });
    expect(plain.ok).toBe(true);
    expect(loaded('kubernetes-models')).toBe(false);

    const withEnv = parseAgent({
      metadata: { name: 'b', namespace: 'ns' },
      spec: { ...spec, declarative: { ...spec.declarative, deployment: { env: [{ value: 'x' }] } } },
    });
    expect(loaded('kubernetes-models')).toBe(true);
    expect(withEnv.ok).toBe(false);
    if (!withEnv.ok) {
      expect(withEnv.error.issues).toContainEqual({
        path: 'spec.declarative.deployment.env[0].name',
        message: 'required field is missing',
      });
    }
  });
});
