/**
 * The Lambda `Context` a handler receives, for callers that invoke a handler
 * themselves: the local runner, the rehearsal, the local approval server and
 * the tests. No deployed function imports it (Lambda builds the real one).
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface LambdaContextOptions {
  /** @default `arn:aws:lambda:us-east-1:000000000000:function:<name>` */
  readonly invokedFunctionArn?: string;
  /** @default a random UUID, as Lambda gives every invocation */
  readonly awsRequestId?: string;
  /** @default '1024' */
  readonly memoryLimitInMB?: string;
  /** @default 'local' */
  readonly logStreamName?: string;
  /** @default true (Lambda's default for Node handlers) */
  readonly callbackWaitsForEmptyEventLoop?: boolean;
  /**
   * The function's configured timeout: `getRemainingTimeInMillis` counts
   * down from it, in real time, from when the context was made (as Lambda's
   * does from the invocation's start). Give the deployed function's value
   * (functions/shared/phases.ts) so a handler gets the time it would get.
   * @default 30
   */
  readonly timeoutSeconds?: number;
}

/** A typed `Context` for the function named `functionName`. */
export function lambdaContext(
  functionName: string,
  options: LambdaContextOptions = {},
): Context {
  const deadline = Date.now() + (options.timeoutSeconds ?? 30) * 1000;
  return {
    callbackWaitsForEmptyEventLoop:
      options.callbackWaitsForEmptyEventLoop ?? true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn:
      options.invokedFunctionArn ??
      `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: options.memoryLimitInMB ?? '1024',
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: options.logStreamName ?? 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
