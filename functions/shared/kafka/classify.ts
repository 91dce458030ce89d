/**
 * Classifies the errors @platformatic/kafka raises into causes a network or
 * Kafka admin can act on. The client wraps the real cause several levels
 * deep (`MultipleErrors` → `NetworkError` → Node error, or
 * `AuthenticationError` → `ResponseError` → `ProtocolError{apiCode}`), so
 * the classifier walks `errors[]` and `cause` and decides on the innermost
 * facts: Node error codes, Kafka error codes, the client's error classes.
 */
export type KafkaFailureKind =
  | 'dns'
  | 'tcp-refused'
  | 'tcp-timeout'
  | 'tls-untrusted'
  | 'tls-hostname'
  | 'timeout'
  | 'sasl-credentials'
  | 'sasl-mechanism'
  | 'authorization'
  | 'unsupported'
  | 'other';

export interface KafkaFailure {
  kind: KafkaFailureKind;
  /** A sentence for an admin; never contains credentials. */
  message: string;
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  apiId?: string;
  apiCode?: number;
  serverErrorMessage?: string | null;
  errors?: unknown[];
  cause?: unknown;
}

/** Every error in the chain, outermost first. */
export function errorChain(error: unknown, limit = 50): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0 && out.length < limit) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const el = e as ErrorLike;
    out.push(el);
    if (Array.isArray(el.errors)) queue.push(...el.errors);
    if (el.cause) queue.push(el.cause);
  }
  return out;
}

const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
]);

/** Turns any error from the Kafka client into a classified failure. */
export function classifyKafkaError(error: unknown): KafkaFailure {
  const chain = errorChain(error);
  const codes = chain.map((e) => e.code ?? '');
  const has = (c: string) => codes.includes(c);
  if (has('ENOTFOUND') || has('EAI_AGAIN')) {
    return { kind: 'dns', message: 'a broker name does not resolve (DNS)' };
  }
  if (has('ECONNREFUSED')) {
    return {
      kind: 'tcp-refused',
      message: 'a broker refused the TCP connection',
    };
  }
  if (has('ETIMEDOUT') || has('EHOSTUNREACH') || has('ENETUNREACH')) {
    return { kind: 'tcp-timeout', message: 'a broker is unreachable over TCP' };
  }
  if (has('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return {
      kind: 'tls-hostname',
      message: "the broker's certificate does not name the host connected to",
    };
  }
  const untrusted = codes.find((c) => TLS_UNTRUSTED.has(c));
  if (untrusted) {
    return {
      kind: 'tls-untrusted',
      message: `the broker's certificate chain is not trusted (${untrusted})`,
    };
  }
  const protocol = chain.find((e) => typeof e.apiCode === 'number');
  if (protocol?.apiCode === 33) {
    return {
      kind: 'sasl-mechanism',
      message: `the listener does not enable this SASL mechanism (UNSUPPORTED_SASL_MECHANISM)`,
    };
  }
  if (protocol?.apiCode === 58) {
    return {
      kind: 'sasl-credentials',
      message:
        'SASL authentication failed (SASL_AUTHENTICATION_FAILED): wrong password, unknown user, or no credential for this mechanism',
    };
  }
  const authz = chain.find((e) => e.apiId?.endsWith('_AUTHORIZATION_FAILED'));
  if (authz) {
    return {
      kind: 'authorization',
      message: `the user is not authorized (${authz.apiId})`,
    };
  }
  // Class names do not survive minification; the client's error codes do.
  if (has('PLT_KFK_AUTHENTICATION')) {
    return { kind: 'sasl-credentials', message: 'SASL authentication failed' };
  }
  if (has('PLT_KFK_UNSUPPORTED_API')) {
    return {
      kind: 'unsupported',
      message: 'the broker does not support an API the probe needs',
    };
  }
  // TimeoutError carries the NetworkError code; only its message tells it apart.
  const timedOut = chain.some(
    (e) =>
      e.code === 'PLT_KFK_TIMEOUT' ||
      (e.code === 'PLT_KFK_NETWORK' && /timed out/i.test(e.message ?? '')),
  );
  if (timedOut) {
    return {
      kind: 'timeout',
      message: 'a broker accepted the connection but did not answer in time',
    };
  }
  const innermost = chain[chain.length - 1];
  return {
    kind: 'other',
    message: innermost?.message ?? String(error),
  };
}

/** An error the adapter throws, already classified. */
export class KafkaAccessError extends Error {
  readonly kind: KafkaFailureKind;
  constructor(failure: KafkaFailure, options?: ErrorOptions) {
    super(failure.message, options);
    this.name = 'KafkaAccessError';
    this.kind = failure.kind;
  }
}
