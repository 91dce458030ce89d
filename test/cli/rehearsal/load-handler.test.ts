import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadHandler, wireHandlers } from '../../../cli/rehearsal/handlers.ts';

const BROKEN = new URL('../../fixtures/broken-functions/', import.meta.url);
const BROKEN_FILE = fileURLToPath(new URL('validate-plan/handler.ts', BROKEN));

describe('loadHandler', () => {
  it('should load a real phase handler module', async () => {
    const mod = await loadHandler('validate-plan');
    expect(typeof mod?.createHandler).toBe('function');
  });

  it('should report no module when the phase has no handler file', async () => {
    await expect(loadHandler('preflight', BROKEN)).resolves.toBeUndefined();
  });

  it('should fail with the file and the import error when the module throws on import', async () => {
    const err = await loadHandler('validate-plan', BROKEN).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(BROKEN_FILE);
    expect((err as Error).message).toContain(
      'validate-plan is broken on purpose',
    );
    expect(((err as Error).cause as Error).message).toBe(
      'validate-plan is broken on purpose',
    );
  });
});

describe('wireHandlers', () => {
  it('should fail the rehearsal on a broken handler import instead of leaving the phase unregistered', async () => {
    // Never reached: validate-plan, the first phase, fails on import.
    const unused = {} as never;
    await expect(
      wireHandlers(unused, undefined, unused, BROKEN),
    ).rejects.toThrow(
      `cannot load ${BROKEN_FILE}: validate-plan is broken on purpose`,
    );
  });
});
