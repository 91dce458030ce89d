/**
 * SCRAM-SHA-256/512 server side (RFC 5802, RFC 7677), written from the RFCs
 * with node:crypto and nothing from the Kafka client, so the client's SCRAM
 * code is checked against an independent implementation. Credentials are
 * stored the way Kafka stores them: salt, iterations, StoredKey, ServerKey.
 */
import {
  createHash,
  createHmac,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramCredential {
  mechanism: ScramMechanism;
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const HASH: Record<ScramMechanism, { name: string; length: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', length: 32 },
  'SCRAM-SHA-512': { name: 'sha512', length: 64 },
};

const hmac = (alg: string, key: Buffer, data: string) =>
  createHmac(alg, key).update(data).digest();

/** What `kafka-configs.sh --alter --add-config SCRAM-SHA-512=[password=…]` stores. */
export function scramCredential(
  mechanism: ScramMechanism,
  password: string,
  iterations = 4096,
): ScramCredential {
  const { name, length } = HASH[mechanism];
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, length, name);
  const clientKey = hmac(name, salted, 'Client Key');
  return {
    mechanism,
    salt,
    iterations,
    storedKey: createHash(name).update(clientKey).digest(),
    serverKey: hmac(name, salted, 'Server Key'),
  };
}

function attributes(message: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}

/** `saslname` decoding from RFC 5802 section 5.1. */
function decodeName(name: string): string {
  return name.replaceAll('=2C', ',').replaceAll('=3D', '=');
}

export type ScramStep =
  | { kind: 'continue'; reply: Buffer }
  | { kind: 'done'; reply: Buffer; user: string }
  | { kind: 'fail'; message: string };

/**
 * One server-side SCRAM exchange: `first(clientFirst)` then
 * `final(clientFinal)`. `lookup` returns the stored credential for a user
 * under this mechanism, or undefined.
 */
export class ScramServerExchange {
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #user = '';
  #credential: ScramCredential | undefined;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly lookup: (
      user: string,
      mechanism: ScramMechanism,
    ) => ScramCredential | undefined,
  ) {}

  first(message: Buffer): ScramStep {
    const text = message.toString('utf8');
    // gs2-header: no channel binding ("n"), optional authzid, then the bare message.
    const match = /^n,(a=[^,]*)?,(.*)$/s.exec(text);
    if (!match) return { kind: 'fail', message: 'bad gs2 header' };
    this.#clientFirstBare = match[2] ?? '';
    const attrs = attributes(this.#clientFirstBare);
    const user = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (!user || !clientNonce) {
      return { kind: 'fail', message: 'client-first lacks n= or r=' };
    }
    this.#user = decodeName(user);
    this.#credential = this.lookup(this.#user, this.mechanism);
    if (!this.#credential) {
      return {
        kind: 'fail',
        message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`,
      };
    }
    this.#nonce = clientNonce + randomBytes(18).toString('base64');
    this.#serverFirst = `r=${this.#nonce},s=${this.#credential.salt.toString('base64')},i=${this.#credential.iterations}`;
    return { kind: 'continue', reply: Buffer.from(this.#serverFirst) };
  }

  final(message: Buffer): ScramStep {
    const credential = this.#credential;
    if (!credential) return { kind: 'fail', message: 'no client-first' };
    const text = message.toString('utf8');
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) return { kind: 'fail', message: 'client-final lacks p=' };
    const withoutProof = text.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== 'biws' || attrs.get('r') !== this.#nonce) {
      return { kind: 'fail', message: 'channel binding or nonce mismatch' };
    }
    const { name } = HASH[this.mechanism];
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const signature = hmac(name, credential.storedKey, authMessage);
    if (proof.length !== signature.length) {
      return { kind: 'fail', message: 'bad proof length' };
    }
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) {
      clientKey[i] = (proof[i] as number) ^ (signature[i] as number);
    }
    const stored = createHash(name).update(clientKey).digest();
    if (!timingSafeEqual(stored, credential.storedKey)) {
      return {
        kind: 'fail',
        message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`,
      };
    }
    const serverSignature = hmac(name, credential.serverKey, authMessage);
    return {
      kind: 'done',
      reply: Buffer.from(`v=${serverSignature.toString('base64')}`),
      user: this.#user,
    };
  }
}
