/**
 * DNS → TCP → TLS reachability of one broker, each step with its own
 * timeout, so a failure names its layer. The Kafka client cannot do this: a
 * TCP connect that hangs and a TLS handshake that never starts surface there
 * as the same `TimeoutError`.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TlsSettings, TransportCheck, TransportLayer } from '../ports.ts';

class StepTimeout extends Error {}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => void = () => {},
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new StepTimeout());
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Splits `host:port` and `[v6]:port`. */
export function parseBroker(broker: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(broker);
  if (!match) throw new Error(`broker "${broker}" is not host:port`);
  return { host: match[1] as string, port: Number(match[2]) };
}

const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

function codeOf(error: unknown): string {
  return (error as { code?: string } | null)?.code ?? 'UNKNOWN';
}

/**
 * Checks one broker from where this code runs. Never throws: the result
 * says where the path broke and what an admin should look at.
 */
export async function checkBrokerTransport(
  broker: string,
  tls: TlsSettings,
  timeoutMs: number,
): Promise<TransportCheck> {
  const started = performance.now();
  const result = (
    ok: boolean,
    detail: string,
    addresses: string[],
    failedAt?: TransportLayer,
  ): TransportCheck => ({
    broker,
    ok,
    ...(failedAt ? { failedAt } : {}),
    detail,
    addresses,
    millis: Math.round(performance.now() - started),
  });
  const { host, port } = parseBroker(broker);

  // 1. DNS
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      const found = await withTimeout(lookup(host, { all: true }), timeoutMs);
      addresses = found.map((a) => a.address);
    } catch (error) {
      const why =
        error instanceof StepTimeout
          ? `no answer within ${timeoutMs} ms`
          : codeOf(error);
      return result(
        false,
        `DNS: ${host} does not resolve from this subnet (${why}); check the VPC resolver or the Route 53 Resolver rule that forwards this domain`,
        [],
        'dns',
      );
    }
  }
  const address = addresses[0] as string;

  // 2. TCP
  let socket: Socket | undefined;
  try {
    socket = await withTimeout(
      new Promise<Socket>((resolve, reject) => {
        const s = tcpConnect({ host: address, port });
        socket = s;
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      }),
      timeoutMs,
      () => socket?.destroy(),
    );
  } catch (error) {
    socket?.destroy();
    if (error instanceof StepTimeout || codeOf(error) === 'ETIMEDOUT') {
      return result(
        false,
        `TCP: no answer from ${address}:${port} within ${timeoutMs} ms; packets are dropped on the way (security group egress, NACL, on-premises firewall or the VPN/Direct Connect route)`,
        addresses,
        'tcp-timeout',
      );
    }
    const code = codeOf(error);
    if (code === 'ECONNREFUSED') {
      return result(
        false,
        `TCP: ${address}:${port} refused the connection; the host is reachable but nothing listens on port ${port} (wrong listener port?)`,
        addresses,
        'tcp-refused',
      );
    }
    return result(
      false,
      `TCP: cannot reach ${address}:${port} (${code}); check routing to the source network`,
      addresses,
      'tcp-timeout',
    );
  }

  // 3. TLS over the same socket, hostname checked against the certificate.
  const tcp = socket;
  let secure: ReturnType<typeof tlsConnect> | undefined;
  try {
    const peer = await withTimeout(
      new Promise<string>((resolve, reject) => {
        const s = tlsConnect({
          socket: tcp,
          ...(isIP(host) ? {} : { servername: host }),
          ...(tls.ca ? { ca: tls.ca } : {}),
          host,
        });
        secure = s;
        s.once('secureConnect', () => {
          const cert = s.getPeerCertificate();
          resolve(
            `subject ${cert.subject?.CN ?? '?'}, issuer ${cert.issuer?.CN ?? '?'}, valid until ${cert.valid_to}`,
          );
        });
        s.once('error', reject);
      }),
      timeoutMs,
      () => secure?.destroy(),
    );
    return result(
      true,
      `DNS ${addresses.join(', ')}; TCP ${port} open; TLS ${tlsProtocol(secure)} verified (${peer})`,
      addresses,
    );
  } catch (error) {
    if (error instanceof StepTimeout) {
      return result(
        false,
        `TLS: ${host}:${port} accepted TCP but sent no TLS handshake within ${timeoutMs} ms; the port is probably a PLAINTEXT or SASL_PLAINTEXT listener, or a proxy holds the connection`,
        addresses,
        'tls-stall',
      );
    }
    const code = codeOf(error);
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return result(
        false,
        `TLS: the certificate of ${host}:${port} does not name "${host}" (${(error as Error).message}); use the broker names in the certificate's SAN, or reissue it`,
        addresses,
        'tls-hostname',
      );
    }
    if (UNTRUSTED_CODES.has(code)) {
      return result(
        false,
        `TLS: the certificate chain of ${host}:${port} is not trusted (${code}); put the root and intermediate CA certificates (PEM) in the secret's "certificate" key`,
        addresses,
        'tls-untrusted',
      );
    }
    return result(
      false,
      `TLS: handshake with ${host}:${port} failed (${code}: ${(error as Error).message})`,
      addresses,
      'tls-other',
    );
  } finally {
    secure?.destroy();
    tcp.destroy();
  }
}

function tlsProtocol(s: ReturnType<typeof tlsConnect> | undefined): string {
  return s?.getProtocol() ?? 'TLS';
}
