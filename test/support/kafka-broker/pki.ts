/**
 * Test PKI made with openssl at test time: root CA → intermediate CA →
 * server leaf for `localhost`/127.0.0.1, a leaf for the wrong host name
 * (signed by the same intermediate), and an unrelated CA. EC keys keep the
 * whole run around a tenth of a second.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  /** Root + intermediate, the chain a client is told to trust. */
  caChain: string;
  rootCa: string;
  /** A CA that signed nothing the broker presents. */
  unrelatedCa: string;
  /** Leaf + intermediate, as a broker serves it. */
  serverCert: string;
  serverKey: string;
  /** Valid chain, but the SAN is `kafka.wrong.test`. */
  wrongHostCert: string;
  wrongHostKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function newKey(dir: string, name: string): void {
  openssl(dir, [
    'ecparam',
    '-name',
    'prime256v1',
    '-genkey',
    '-noout',
    '-out',
    `${name}.key`,
  ]);
}

function selfSignedCa(dir: string, name: string, cn: string): void {
  newKey(dir, name);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function signed(
  dir: string,
  name: string,
  cn: string,
  issuer: string,
  extensions: string,
): void {
  newKey(dir, name);
  openssl(dir, [
    'req',
    '-new',
    '-key',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.pem`,
    '-CAkey',
    `${issuer}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

/** Generates a fresh PKI in a temporary directory and returns the PEMs. */
export function generateTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-pki-'));
  try {
    selfSignedCa(dir, 'root', 'msk-cutover test root CA');
    signed(
      dir,
      'intermediate',
      'msk-cutover test intermediate CA',
      'root',
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
    );
    const leafExt = (san: string) =>
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`;
    signed(
      dir,
      'server',
      'localhost',
      'intermediate',
      leafExt('DNS:localhost,IP:127.0.0.1'),
    );
    signed(
      dir,
      'wrong',
      'kafka.wrong.test',
      'intermediate',
      leafExt('DNS:kafka.wrong.test'),
    );
    selfSignedCa(dir, 'unrelated', 'unrelated CA');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      caChain: read('intermediate.pem') + read('root.pem'),
      rootCa: read('root.pem'),
      unrelatedCa: read('unrelated.pem'),
      serverCert: read('server.pem') + read('intermediate.pem'),
      serverKey: read('server.key'),
      wrongHostCert: read('wrong.pem') + read('intermediate.pem'),
      wrongHostKey: read('wrong.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
