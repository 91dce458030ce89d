/**
 * The functions' zod is `zod/mini` with the English messages classic zod
 * configures on import (functions/shared/domain/zod.ts). This file imports
 * no classic zod, which would configure them itself.
 */
import { describe, expect, it } from 'vitest';
import * as z from '../../../../functions/shared/domain/zod.ts';
import { parseEvent } from '../../../../functions/shared/handler.ts';

describe('zod (mini) for the functions', () => {
  it('should word issues in English, as classic zod does', () => {
    const schema = z.strictObject({
      name: z.string().check(z.minLength(3)),
      count: z.number().check(z.int()),
    });
    const parsed = schema.safeParse({ name: '', count: 1.5, extra: 1 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([
      'Too small: expected string to have >=3 characters',
      'Invalid input: expected int, received number',
      'Unrecognized key: "extra"',
    ]);
  });

  it('should put those messages in a handler event error', () => {
    const schema = z.object({ migrationId: z.string() });
    expect(() => parseEvent(schema, { migrationId: 7 })).toThrow(
      'invalid event: migrationId: Invalid input: expected string, received number',
    );
  });
});
