import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle } from '../../bench/bundles.ts';
import {
  BASE_BUNDLING,
  bundlingFor,
  esbuildOptions,
  KAFKA_PHASES,
  PHASES,
  REPLICATOR_API_PHASES,
  RUNTIME_SDK,
} from '../../infra/bundling.ts';

describe('bundlingFor', () => {
  it('should bundle every dependency of every deployed phase', () => {
    for (const phase of PHASES) {
      expect(bundlingFor(phase).externalModules).toEqual([]);
      expect(bundlingFor(phase)).toMatchObject({
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
      });
    }
  });

  it('should alias the Kafka client to its Admin part only where Kafka is spoken', () => {
    const probe = bundlingFor('probe-source');
    expect(probe.alias?.['@platformatic/kafka']).toMatch(
      /\/functions\/shared\/kafka\/admin-only\.ts$/,
    );
    expect(probe.alias?.['ajv/dist/2020.js']).toMatch(
      /\/functions\/shared\/kafka\/lazy-ajv\.ts$/,
    );
    expect(probe.banner).toContain('createRequire');
    for (const phase of PHASES.filter((p) => !KAFKA_PHASES.has(p))) {
      expect(bundlingFor(phase)).toBe(BASE_BUNDLING);
    }
  });

  it('should leave out only the runtime SDK in the measured alternative', () => {
    expect(bundlingFor('record-failure', 'runtime').externalModules).toEqual(
      RUNTIME_SDK,
    );
    // The Kafka recipe survives the switch.
    expect(bundlingFor('probe-source', 'runtime')).toMatchObject({
      externalModules: RUNTIME_SDK,
      alias: bundlingFor('probe-source').alias,
    });
  });

  it('should refuse the runtime SDK to a phase that calls the Replicator API', () => {
    expect([...REPLICATOR_API_PHASES]).toContain('create-replicators');
    for (const phase of REPLICATOR_API_PHASES) {
      expect(() => bundlingFor(phase, 'runtime')).toThrow(
        `${phase} calls the MSK Replicator API and must bundle its SDK`,
      );
    }
  });
});

describe('the environment credential chain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-credentials-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should alias the default chain to its environment link in every bundle', () => {
    for (const phase of PHASES) {
      expect(
        bundlingFor(phase).alias?.['@aws-sdk/credential-provider-node'],
      ).toMatch(/\/functions\/shared\/aws\/env-credentials\.ts$/);
    }
    expect(
      bundlingFor('probe-source').alias?.['@aws-sdk/credential-providers'],
    ).toMatch(/\/functions\/shared\/kafka\/env-credential-providers\.ts$/);
  });

  it.each(['record-failure', 'probe-source'] as const)(
    'should leave the rest of the chain out of the %s bundle',
    async (phase) => {
      const { metafile } = await bundle(phase, join(dir, phase));
      const inOutput = Object.values(metafile.outputs).flatMap((o) =>
        Object.entries(o.inputs)
          .filter(([, i]) => i.bytesInOutput > 0)
          .map(([path]) => path),
      );
      expect(
        inOutput.some((p) => p.includes('/credential-provider-env/')),
      ).toBe(true);
      expect(inOutput.filter((p) => OTHER_PROVIDERS.test(p))).toEqual([]);
    },
  );

  it('should sign a bundled client request with the environment credentials, and look nowhere else', async () => {
    const file = join(dir, 'sign', 'index.mjs');
    await build({
      ...esbuildOptions(BASE_BUNDLING),
      stdin: { contents: SIGNING_ENTRY, resolveDir: ROOT, loader: 'ts' },
      outfile: file,
      logLevel: 'error',
    });
    const withCredentials = runBundle(file, {
      AWS_ACCESS_KEY_ID: 'AKIDFROMTHEENVIRONMENT',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session-token',
    });
    expect(withCredentials.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFROMTHEENVIRONMENT\/\d{8}\/eu-west-1\/sns\/aws4_request, /,
    );
    expect(withCredentials.token).toBe('session-token');
    // The whole chain would go on to ini files, processes and web identity
    // (and instance metadata, disabled here) and end with "Could not load
    // credentials from any providers".
    expect(runBundle(file, {}).error).toBe(
      'Unable to find environment variable credentials.',
    );
  });
});

const ROOT = join(import.meta.dirname, '..', '..');

/** What the environment link replaces; none of it may reach a bundle. */
const OTHER_PROVIDERS =
  /@aws-sdk\/(nested-clients|credential-provider-(node|ini|sso|process|web-identity|http|login|cognito-identity)|token-providers)\/|@smithy\/credential-provider-imds\//;

/**
 * A client whose request handler, called once the request is signed,
 * prints the signature headers instead of sending anything.
 */
const SIGNING_ENTRY = `
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
const client = new SNSClient({
  region: 'eu-west-1',
  maxAttempts: 1,
  requestHandler: {
    handle: async (request) => {
      throw Object.assign(new Error('captured'), { request });
    },
  },
});
try {
  await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: 'm' }));
} catch (err) {
  const headers = err.request?.headers ?? {};
  process.stdout.write(JSON.stringify(err.request
    ? { authorization: headers.authorization, token: headers['x-amz-security-token'] }
    : { error: err.message }));
}
`;

function runBundle(
  file: string,
  credentials: Record<string, string>,
): { authorization?: string; token?: string; error?: string } {
  const result = spawnSync(process.execPath, [file], {
    encoding: 'utf8',
    cwd: dirname(file),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dirname(file),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...credentials,
    },
    timeout: 20_000,
  });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}
