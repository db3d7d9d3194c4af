import { describe, expect, it } from 'vitest';
import { byoProcess, expandEnvReferences, LOCAL_COMMAND_MISSING } from './byo-process.js';

describe('BYO agent processes', () => {
  it('runs command then args, with $(VAR) expanded from the container env as a kubelet would', () => {
    const env = { PORT: '41234', KAGENT_NAME: 'byo' };
    expect(
      byoProcess(
        {
          command: ['/usr/bin/python3'],
          args: ['-m', 'agent', '--port=$(PORT)', '--name', '$(KAGENT_NAME)'],
        },
        env,
      ),
    ).toEqual({
      ok: true,
      command: '/usr/bin/python3',
      args: ['-m', 'agent', '--port=41234', '--name', 'byo'],
    });
    expect(expandEnvReferences('$$(PORT) $(UNKNOWN) $(PORT) cost $$5', env)).toBe(
      '$(PORT) $(UNKNOWN) 41234 cost $5',
    );
  });

  it('refuses an image-only container and says what to set', () => {
    const result = byoProcess({ args: ['--port', '8080'] }, {});
    expect(result).toMatchObject({ ok: false, reason: LOCAL_COMMAND_MISSING });
    expect(result.ok ? '' : result.message).toContain('spec.byo.deployment.cmd');
  });
});
