/**
 * Step Functions task tokens. The token is an argument, never part of a
 * message: SDK errors name the API and the reason, not the token.
 * `TaskTimedOut` and `TaskDoesNotExist` (the task no longer waits) become
 * the domain's TaskGoneError, so the cores never see an SDK error class.
 */
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { TaskGoneError } from '../domain/errors.ts';
import type { TaskTokens } from '../ports.ts';

/** Sends one SFN command, mapping "the task is gone" to TaskGoneError. */
async function sendTaskCommand(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (err instanceof TaskTimedOut || err instanceof TaskDoesNotExist) {
      throw new TaskGoneError(err.name, { cause: err });
    }
    throw err;
  }
}

/** {@link TaskTokens} over the SFN client. */
export class SfnTaskTokens implements TaskTokens {
  constructor(private readonly sfn: SFNClient) {}

  async sendSuccess(taskToken: string, output: object): Promise<void> {
    await sendTaskCommand(() =>
      this.sfn.send(
        new SendTaskSuccessCommand({
          taskToken,
          output: JSON.stringify(output),
        }),
      ),
    );
  }

  async sendFailure(
    taskToken: string,
    error: string,
    cause: string,
  ): Promise<void> {
    await sendTaskCommand(() =>
      this.sfn.send(
        new SendTaskFailureCommand({
          taskToken,
          // API limits: error 256, cause 32,768 characters.
          error: error.slice(0, 256),
          cause: cause.slice(0, 32_768),
        }),
      ),
    );
  }
}
