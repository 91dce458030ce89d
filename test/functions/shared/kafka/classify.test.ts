import { describe, expect, it } from 'vitest';
import {
  classifyKafkaError,
  errorChain,
} from '../../../../functions/shared/kafka/classify.ts';

/** An error shaped like the client's: `code`, `errors[]`, `cause`. */
function err(props: Record<string, unknown>, ...errors: unknown[]): Error {
  return Object.assign(
    new Error(String(props.message ?? 'x')),
    props,
    errors.length ? { errors } : {},
  );
}

describe('errorChain', () => {
  it('walks errors[] and cause breadth first and survives cycles', () => {
    const inner = err({ code: 'ECONNREFUSED' });
    const mid = err({ code: 'PLT_KFK_NETWORK', cause: inner });
    const top = err({ code: 'PLT_KFK_MULTIPLE' }, mid);
    (inner as { cause?: unknown }).cause = top;
    expect(errorChain(top).map((e) => e.code)).toEqual([
      'PLT_KFK_MULTIPLE',
      'PLT_KFK_NETWORK',
      'ECONNREFUSED',
    ]);
  });
});

describe('classifyKafkaError', () => {
  const wrap = (inner: unknown) =>
    err(
      { code: 'PLT_KFK_MULTIPLE' },
      err({ code: 'PLT_KFK_NETWORK', cause: inner }),
    );

  it.each([
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNREFUSED', 'tcp-refused'],
    ['ETIMEDOUT', 'tcp-timeout'],
    ['EHOSTUNREACH', 'tcp-timeout'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-hostname'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-untrusted'],
    ['CERT_HAS_EXPIRED', 'tls-untrusted'],
  ])('maps the Node code %s to %s', (code, kind) => {
    expect(classifyKafkaError(wrap(err({ code }))).kind).toBe(kind);
  });

  it('maps Kafka error codes 58 and 33 and *_AUTHORIZATION_FAILED', () => {
    const protocol = (apiCode: number, apiId: string) =>
      err(
        { code: 'PLT_KFK_AUTHENTICATION' },
        err(
          { code: 'PLT_KFK_RESPONSE' },
          err({ code: 'PLT_KFK_PROTOCOL', apiCode, apiId }),
        ),
      );
    expect(
      classifyKafkaError(protocol(58, 'SASL_AUTHENTICATION_FAILED')).kind,
    ).toBe('sasl-credentials');
    expect(
      classifyKafkaError(protocol(33, 'UNSUPPORTED_SASL_MECHANISM')).kind,
    ).toBe('sasl-mechanism');
    expect(
      classifyKafkaError(protocol(30, 'GROUP_AUTHORIZATION_FAILED')),
    ).toEqual({
      kind: 'authorization',
      message: 'the user is not authorized (GROUP_AUTHORIZATION_FAILED)',
    });
  });

  it('uses the client error codes when no deeper cause is known', () => {
    expect(
      classifyKafkaError(err({ code: 'PLT_KFK_AUTHENTICATION' })).kind,
    ).toBe('sasl-credentials');
    expect(
      classifyKafkaError(err({ code: 'PLT_KFK_UNSUPPORTED_API' })).kind,
    ).toBe('unsupported');
    expect(
      classifyKafkaError(
        wrap(
          err({
            code: 'PLT_KFK_NETWORK',
            message: 'Connection to a:1 timed out.',
          }),
        ),
      ).kind,
    ).toBe('timeout');
    expect(classifyKafkaError(err({ message: 'something odd' }))).toEqual({
      kind: 'other',
      message: 'something odd',
    });
    expect(classifyKafkaError('plain string').kind).toBe('other');
  });
});
