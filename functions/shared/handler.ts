/**
 * The only Lambda shell: middy with the Powertools logger context (keys reset
 * per invocation), the env validated once at cold start by the caller, and the
 * event parsed with the phase's zod schema before the core sees it. An event
 * that does not match is a `ValidationError` (the ASL does not retry it).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError } from './domain/errors.ts';
import { logger } from './logger.ts';

export function parseEvent<S extends z.ZodType>(
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
export function phaseHandler<S extends z.ZodType, R>(
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
