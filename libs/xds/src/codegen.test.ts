import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('generated code', () => {
  it('src/gen is what proto/ generates', () => {
    const script = fileURLToPath(new URL('../scripts/generate.mjs', import.meta.url));
    const out = execFileSync(process.execPath, [script, '--check'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('up to date');
  });
});
