import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnTaskTokens } from '../../../../functions/shared/aws/task-tokens.ts';

const sfn = mockClient(SFNClient);

beforeEach(() => sfn.reset());

describe('SfnTaskTokens', () => {
  it('should send the decision as JSON output', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    await new SfnTaskTokens(new SFNClient({})).sendSuccess('tok', {
      decision: 'cutover',
    });
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, {
      taskToken: 'tok',
      output: '{"decision":"cutover"}',
    });
  });

  it('should cut error and cause to the API limits', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await new SfnTaskTokens(new SFNClient({})).sendFailure(
      'tok',
      'E'.repeat(300),
      'c'.repeat(40_000),
    );
    const input = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(input?.error).toHaveLength(256);
    expect(input?.cause).toHaveLength(32_768);
  });

  it('should surface a timed-out task without the token in the message', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const err = await new SfnTaskTokens(new SFNClient({}))
      .sendSuccess('secret-token-value', {})
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(TaskTimedOut);
    expect(String(err)).not.toContain('secret-token-value');
  });
});
