import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnTaskTokens } from '../../../../functions/shared/aws/task-tokens.ts';
import { TaskGoneError } from '../../../../functions/shared/domain/errors.ts';

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

  it('should surface a timed-out task as TaskGoneError without the token in the message', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const err = await new SfnTaskTokens(new SFNClient({}))
      .sendSuccess('secret-token-value', {})
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(TaskGoneError);
    expect((err as TaskGoneError).reason).toBe('TaskTimedOut');
    expect((err as TaskGoneError).cause).toBeInstanceOf(TaskTimedOut);
    expect(String(err)).not.toContain('secret-token-value');
  });

  it('should surface a task of an ended execution as TaskGoneError, on failure too', async () => {
    sfn
      .on(SendTaskFailureCommand)
      .rejects(new TaskDoesNotExist({ message: 'gone', $metadata: {} }));
    const err = await new SfnTaskTokens(new SFNClient({}))
      .sendFailure('tok', 'E', 'c')
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(TaskGoneError);
    expect((err as TaskGoneError).reason).toBe('TaskDoesNotExist');
  });

  it('should pass any other error through unchanged', async () => {
    const invalid = new InvalidToken({ message: 'bad', $metadata: {} });
    sfn.on(SendTaskSuccessCommand).rejects(invalid);
    const err = await new SfnTaskTokens(new SFNClient({}))
      .sendSuccess('tok', {})
      .catch((e: Error) => e);
    expect(err).toBe(invalid);
  });
});
