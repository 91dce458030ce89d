/**
 * Step Functions task tokens. The token is an argument, never part of a
 * message: SDK errors name the API and the reason, not the token.
 */
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { TaskTokens } from '../ports.ts';

/** {@link TaskTokens} over the SFN client. */
export class SfnTaskTokens implements TaskTokens {
  constructor(private readonly sfn: SFNClient) {}

  async sendSuccess(taskToken: string, output: object): Promise<void> {
    await this.sfn.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }),
    );
  }

  async sendFailure(
    taskToken: string,
    error: string,
    cause: string,
  ): Promise<void> {
    await this.sfn.send(
      new SendTaskFailureCommand({
        taskToken,
        // API limits: error 256, cause 32,768 characters.
        error: error.slice(0, 256),
        cause: cause.slice(0, 32_768),
      }),
    );
  }
}
