import { describe, expect, it } from 'vitest';
import { Ajv2020 } from '../../../infra/bundle-trims/lazy-ajv.ts';

const schema = {
  type: 'object',
  properties: { topics: { type: 'array', items: { type: 'string' } } },
  required: ['topics'],
  additionalProperties: false,
};

describe('lazy Ajv2020', () => {
  it('should validate like Ajv and expose the errors of the last call', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validate = ajv.compile(schema);
    expect(validate({ topics: ['orders'] })).toBe(true);
    expect(validate.errors).toBeNull();
    expect(validate({ topics: [1], extra: true })).toBe(false);
    expect(ajv.errorsText(validate.errors)).toBe(
      'data must NOT have additional properties, data/topics/0 must be string',
    );
    expect(validate({ topics: [] })).toBe(true);
    expect(validate.errors).toBeNull();
  });

  it('should compile a schema only when its validator is first called', () => {
    const ajv = new Ajv2020({ strict: true });
    // Strict mode rejects the unknown keyword at compile time: nothing is
    // thrown until the validator runs.
    const validate = ajv.compile({ type: 'string', notAKeyword: 1 });
    expect(() => validate('x')).toThrow('unknown keyword: "notAKeyword"');
  });

  it('should keep the keywords added to the instance', () => {
    const ajv = new Ajv2020();
    ajv.addKeyword({
      keyword: 'even',
      validate: (_: unknown, data: unknown) => (data as number) % 2 === 0,
    });
    const validate = ajv.compile({ type: 'number', even: true });
    expect(validate(4)).toBe(true);
    expect(validate(3)).toBe(false);
  });
});
