import {
  InvalidParameterValueException,
  LimitExceededException,
} from '@aws-sdk/client-cloudwatch';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ServiceUnavailableException } from '@aws-sdk/client-kafka';
import { describe, expect, it } from 'vitest';
import {
  isTransientAwsError,
  rethrowAws,
} from '../../../../functions/shared/aws/transient.ts';
import { TransientError } from '../../../../functions/shared/domain/errors.ts';

const meta = (httpStatusCode?: number) => ({
  $metadata: httpStatusCode ? { httpStatusCode } : {},
});

describe('isTransientAwsError', () => {
  it.each([
    [
      'a 503',
      new ServiceUnavailableException({ message: 'x', ...meta(503) }),
      true,
    ],
    ['a 429', new LimitExceededException({ message: 'x', ...meta(429) }), true],
    [
      'a throttling name',
      Object.assign(new Error('x'), { name: 'ThrottlingException' }),
      true,
    ],
    [
      'a bad parameter',
      new InvalidParameterValueException({ message: 'x', ...meta(400) }),
      false,
    ],
    [
      'a failed condition',
      new ConditionalCheckFailedException({ message: 'x', ...meta(400) }),
      false,
    ],
    ['not an error', 'boom', false],
  ])('should classify %s', (_, err, transient) => {
    expect(isTransientAwsError(err)).toBe(transient);
  });
});

describe('rethrowAws', () => {
  it('should wrap transient errors and keep the cause', () => {
    const cause = new ServiceUnavailableException({
      message: 'down',
      ...meta(503),
    });
    let thrown: unknown;
    try {
      rethrowAws(cause, 'GetMetricData');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TransientError);
    expect((thrown as Error).message).toBe(
      'GetMetricData: ServiceUnavailableException: down',
    );
    expect((thrown as Error).cause).toBe(cause);
  });

  it('should rethrow others unchanged', () => {
    const err = new InvalidParameterValueException({
      message: 'bad',
      ...meta(400),
    });
    expect(() => rethrowAws(err, 'x')).toThrow(err);
  });
});
