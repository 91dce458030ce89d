/**
 * The only Lambda shell: middy with the Powertools logger context (keys reset
 * per invocation), the env validated once at cold start by the caller, and the
 * event parsed with the phase's zod schema before the core sees it. An event
 * that does not match is a `ValidationError` (the ASL does not retry it).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { systemClock } from './clock.ts';
import { ValidationError } from './domain/errors.ts';
import type * as z from './domain/zod.ts';
import { logger } from './logger.ts';
import type { Clock } from './ports.ts';

export function parseEvent<S extends z.ZodMiniType>(
  schema: S,
  event: unknown,
): z.output<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw new ValidationError(`invalid event: ${problems}`);
  }
  return parsed.data;
}

/**
 * Wraps a phase: `phaseHandler('preflight', schema, (event) => core(event, deps))`.
 * `migrationId` (and `app` when present) become log keys.
 */
export function phaseHandler<S extends z.ZodMiniType, R>(
  phase: string,
  schema: S,
  run: (event: z.output<S>, context: Context) => Promise<R>,
) {
  return middy(async (raw: unknown, context: Context): Promise<R> => {
    const event = parseEvent(schema, raw);
    const keys = event as { migrationId?: unknown; app?: unknown };
    logger.appendKeys({
      phase,
      ...(typeof keys.migrationId === 'string'
        ? { migrationId: keys.migrationId }
        : {}),
      ...(typeof keys.app === 'string' ? { app: keys.app } : {}),
    });
    return run(event, context);
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

/**
 * The `createHandler(overrides)` of every phase: deps are wired on the first
 * invocation (cold start: env parsed, adapters built) and reused after;
 * `overrides` replace any of them (the rehearsal passes its virtual clock and
 * a simulated Kafka probe). `handler = createHandler()` is what Lambda runs.
 */
export function lazyPhaseHandler<
  S extends z.ZodMiniType,
  D extends { clock: Clock },
  R,
>(
  phase: string,
  schema: S,
  wire: (clock: Clock) => D,
  run: (event: z.output<S>, deps: D) => Promise<R>,
) {
  return (overrides: Partial<D> = {}) => {
    let deps: D | undefined;
    return phaseHandler(phase, schema, (event) => {
      deps ??= { ...wire(overrides.clock ?? systemClock), ...overrides };
      return run(event, deps);
    });
  };
}
