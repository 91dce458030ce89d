/**
 * Ajv 2020 whose `compile` defers the work to the validator's first call.
 * Lambda bundles alias `ajv/dist/2020.js` to this file (infra/bundle-trims.ts):
 * @platformatic/kafka compiles the option schemas of every client method at
 * import (about 25 `ajv.compile` calls, some 140 ms of a cold start), while
 * the probe calls a handful of methods. The validators keep their contract:
 * called with the data, they return whether it is valid and expose the
 * `errors` of that call. The real class is imported by file path because
 * its package path is the one aliased here.
 */
import type { AnySchema, ValidateFunction } from 'ajv';
import { Ajv2020 as EagerAjv2020 } from '../../node_modules/ajv/dist/2020.js';

export class Ajv2020 extends EagerAjv2020 {}

const eagerCompile = EagerAjv2020.prototype.compile;

// Assigned on the prototype rather than declared with `override`: the
// method has overloads (JSON Schema, JTD, async) that one lazy body cannot
// restate, and the schemas compiled here are all synchronous.
Ajv2020.prototype.compile = function lazyCompile(
  this: EagerAjv2020,
  schema: AnySchema,
  meta?: boolean,
): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= eagerCompile.call(this, schema, meta) as ValidateFunction;
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  }) as ValidateFunction;
  return validate;
} as EagerAjv2020['compile'];
