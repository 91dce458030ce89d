/**
 * The test broker's encoders, read back by the client library's own
 * `parseResponse` for each pinned API version: if the broker's byte layout
 * drifted from the protocol, these fail before any probe test does.
 */
import {
  apiVersionsV1,
  apiVersionsV3,
  describeAclsV3,
  describeConfigsV4,
  describeGroupsV5,
  findCoordinatorV4,
  listGroupsV5,
  listOffsetsV9,
  metadataV12,
  offsetFetchV8,
  Reader,
} from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import {
  aclMatchesFilter,
  checkMskIamToken,
  encodeApiVersions,
  encodeDescribeAclsV3,
  encodeDescribeConfigsV4,
  encodeDescribeGroupsV5,
  encodeFindCoordinatorV4,
  encodeListGroupsV5,
  encodeListOffsetsV9,
  encodeMetadataV12,
  encodeOffsetFetchV8,
  modelOf,
  PINNED_API_VERSIONS,
} from '../../../support/kafka-broker/broker.ts';
import {
  ScramServerExchange,
  scramCredential,
} from '../../../support/kafka-broker/scram.ts';

const self = { host: 'localhost', port: 9096 };
const model = modelOf({
  clusterId: 'ext-1',
  topics: { orders: [100, 50], payments: [5] },
  groups: { billing: { members: 2, offsets: { orders: [90, 40] } } },
  acls: [
    {
      resourceType: 2,
      resourceName: 'ord',
      patternType: 4,
      principal: 'User:a',
      host: '*',
      operation: 3,
      permission: 3,
    },
    {
      resourceType: 2,
      resourceName: '*',
      patternType: 3,
      principal: 'User:a',
      host: '*',
      operation: 8,
      permission: 3,
    },
    {
      resourceType: 3,
      resourceName: 'billing',
      patternType: 3,
      principal: 'User:b',
      host: '*',
      operation: 3,
      permission: 2,
    },
  ],
});
const read = (w: { buffer: Buffer }) => Reader.from(w.buffer);

describe('broker encoders read by the client parsers', () => {
  it('ApiVersions v1 and v3', () => {
    for (const [mod, v] of [
      [apiVersionsV1, 1],
      [apiVersionsV3, 3],
    ] as const) {
      const r = mod.parseResponse(
        1,
        18,
        v,
        read(encodeApiVersions(v, PINNED_API_VERSIONS)),
      );
      expect(r.apiKeys.find((a) => a.apiKey === 3)).toMatchObject({
        minVersion: 12,
        maxVersion: 12,
      });
      expect(r.apiKeys).toHaveLength(PINNED_API_VERSIONS.size);
    }
  });

  it('Metadata v12, and UNKNOWN_TOPIC_OR_PARTITION for a missing topic', () => {
    const missing = (() => {
      try {
        metadataV12.parseResponse(
          1,
          3,
          12,
          read(encodeMetadataV12(model, self, ['nope'])),
        );
      } catch (e) {
        return (e as { errors: { apiId: string }[] }).errors.map(
          (x) => x.apiId,
        );
      }
    })();
    expect(missing).toEqual(['UNKNOWN_TOPIC_OR_PARTITION']);
    const r = metadataV12.parseResponse(
      1,
      3,
      12,
      read(encodeMetadataV12(model, self, ['orders', 'payments'])),
    );
    expect(r.clusterId).toBe('ext-1');
    expect(r.brokers).toEqual([
      expect.objectContaining({ nodeId: 1, host: 'localhost', port: 9096 }),
    ]);
    expect(r.topics[0]).toMatchObject({ name: 'orders', errorCode: 0 });
    expect(r.topics[0]?.partitions).toHaveLength(2);
  });

  it('Metadata v12 with a topic authorization error is an error', () => {
    expect(() =>
      metadataV12.parseResponse(
        1,
        3,
        12,
        read(encodeMetadataV12(model, self, ['orders'], 29)),
      ),
    ).toThrow();
  });

  it('FindCoordinator v4', () => {
    const r = findCoordinatorV4.parseResponse(
      1,
      10,
      4,
      read(encodeFindCoordinatorV4(['billing'], self)),
    );
    expect(r.coordinators).toEqual([
      expect.objectContaining({
        key: 'billing',
        nodeId: 1,
        port: 9096,
        errorCode: 0,
      }),
    ]);
  });

  it('OffsetFetch v8', () => {
    const r = offsetFetchV8.parseResponse(
      1,
      9,
      8,
      read(encodeOffsetFetchV8(model, [{ groupId: 'billing', topics: null }])),
    );
    expect(
      r.groups[0]?.topics[0]?.partitions.map((p) => p.committedOffset),
    ).toEqual([90n, 40n]);
  });

  it('answers NOT_COORDINATOR and NOT_LEADER_OR_FOLLOWER when misrouted', () => {
    const apiIds = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as { errors: { apiId: string }[] }).errors.map(
          (x) => x.apiId,
        );
      }
      return [];
    };
    expect(
      apiIds(() =>
        offsetFetchV8.parseResponse(
          1,
          9,
          8,
          read(
            encodeOffsetFetchV8(
              model,
              [{ groupId: 'billing', topics: null }],
              0,
              () => false,
            ),
          ),
        ),
      ),
    ).toEqual(['NOT_COORDINATOR']);
    expect(
      apiIds(() =>
        listOffsetsV9.parseResponse(
          1,
          2,
          9,
          read(
            encodeListOffsetsV9(
              model,
              [{ name: 'orders', partitions: [{ index: 1, timestamp: -1n }] }],
              0,
              () => false,
            ),
          ),
        ),
      ),
    ).toEqual(['NOT_LEADER_OR_FOLLOWER']);
  });

  it('ListOffsets v9, latest and earliest', () => {
    const r = listOffsetsV9.parseResponse(
      1,
      2,
      9,
      read(
        encodeListOffsetsV9(model, [
          {
            name: 'orders',
            partitions: [
              { index: 0, timestamp: -1n },
              { index: 1, timestamp: -2n },
            ],
          },
        ]),
      ),
    );
    expect(r.topics[0]?.partitions.map((p) => p.offset)).toEqual([100n, 0n]);
  });

  it('ListGroups v5 and DescribeGroups v5', () => {
    const l = listGroupsV5.parseResponse(
      1,
      16,
      5,
      read(encodeListGroupsV5(model)),
    );
    expect(l.groups).toEqual([
      expect.objectContaining({ groupId: 'billing', groupState: 'Stable' }),
    ]);
    const d = describeGroupsV5.parseResponse(
      1,
      15,
      5,
      read(encodeDescribeGroupsV5(model, ['billing', 'gone'])),
    );
    expect(
      d.groups.map((g) => [g.groupId, g.groupState, g.members.length]),
    ).toEqual([
      ['billing', 'Stable', 2],
      ['gone', 'Dead', 0],
    ]);
  });

  it('DescribeConfigs v4', () => {
    const r = describeConfigsV4.parseResponse(
      1,
      32,
      4,
      read(
        encodeDescribeConfigsV4(model, [
          { type: 2, name: 'orders', keys: null },
        ]),
      ),
    );
    expect(r.results[0]?.configs.map((c) => [c.name, c.value])).toContainEqual([
      'retention.ms',
      '604800000',
    ]);
  });

  it('DescribeAcls v3 groups ACLs by resource pattern', () => {
    const filter = {
      resourceType: 1,
      resourceName: null,
      patternType: 1,
      principal: 'User:a',
      host: null,
      operation: 1,
      permission: 1,
    };
    const r = describeAclsV3.parseResponse(
      1,
      29,
      3,
      read(encodeDescribeAclsV3(model, filter)),
    );
    expect(
      r.resources.map((x) => [
        x.resourceName,
        x.resourcePatternType,
        x.acls.length,
      ]),
    ).toEqual([
      ['ord', 4, 1],
      ['*', 3, 1],
    ]);
    expect(() =>
      describeAclsV3.parseResponse(
        1,
        29,
        3,
        read(encodeDescribeAclsV3(model, filter, 31)),
      ),
    ).toThrow();
  });
});

describe('broker ACL filter', () => {
  const [prefixed, wildcard, deny] = model.acls as [never, never, never];
  const any = {
    resourceType: 1,
    resourceName: null,
    patternType: 1,
    principal: null,
    host: null,
    operation: 1,
    permission: 1,
  };
  it('MATCH finds literal, wildcard and prefixed ACLs that apply to a name', () => {
    const match = {
      ...any,
      resourceType: 2,
      resourceName: 'orders',
      patternType: 2,
    };
    expect(aclMatchesFilter(prefixed, match)).toBe(true);
    expect(aclMatchesFilter(wildcard, match)).toBe(true);
    expect(aclMatchesFilter(deny, match)).toBe(false);
    expect(
      aclMatchesFilter(prefixed, { ...match, resourceName: 'payments' }),
    ).toBe(false);
  });
  it('exact filters compare every field', () => {
    expect(aclMatchesFilter(deny, { ...any, permission: 2 })).toBe(true);
    expect(aclMatchesFilter(deny, { ...any, permission: 3 })).toBe(false);
    expect(aclMatchesFilter(deny, { ...any, principal: 'User:a' })).toBe(false);
  });
});

describe('broker SCRAM server (RFC 5802 test vector shape)', () => {
  it('rejects a proof made with the wrong password and never reveals the stored key', () => {
    const cred = scramCredential('SCRAM-SHA-256', 'right');
    const ex = new ScramServerExchange('SCRAM-SHA-256', () => cred);
    const first = ex.first(Buffer.from('n,,n=user,r=abc'));
    expect(first.kind).toBe('continue');
    const reply = first.kind === 'continue' ? first.reply.toString() : '';
    expect(reply).toMatch(/^r=abc[^,]+,s=[^,]+,i=4096$/);
    const nonce = /r=([^,]+)/.exec(reply)?.[1];
    const step = ex.final(
      Buffer.from(`c=biws,r=${nonce},p=${Buffer.alloc(32).toString('base64')}`),
    );
    expect(step.kind).toBe('fail');
  });
  it('rejects a replayed nonce', () => {
    const ex = new ScramServerExchange('SCRAM-SHA-512', () =>
      scramCredential('SCRAM-SHA-512', 'x'),
    );
    ex.first(Buffer.from('n,,n=user,r=abc'));
    expect(ex.final(Buffer.from('c=biws,r=abcother,p=AAAA')).kind).toBe('fail');
  });
});

describe('broker OAUTHBEARER token check', () => {
  const url = new URL('https://kafka.us-east-1.amazonaws.com/');
  url.searchParams.set('Action', 'kafka-cluster:Connect');
  url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
  url.searchParams.set(
    'X-Amz-Credential',
    'AKIDEXAMPLE/20260301/us-east-1/kafka-cluster/aws4_request',
  );
  url.searchParams.set('X-Amz-Date', '20260301T100000Z');
  url.searchParams.set('X-Amz-Signature', 'a'.repeat(64));
  const token = Buffer.from(url.toString()).toString('base64url');
  const msg = (t: string) =>
    Buffer.from(`n,,\u0001auth=Bearer ${t}\u0001\u0001`);

  it('accepts a well-formed token', () => {
    expect(checkMskIamToken(msg(token))).toBeNull();
  });
  it('says what is wrong with a malformed one', () => {
    expect(checkMskIamToken(msg('x.y'))).toBe('token is not base64url');
    expect(checkMskIamToken(Buffer.from('n,,auth=Bearer x'))).toMatch(
      /^OAUTHBEARER message is not/,
    );
    const noSig = new URL(url);
    noSig.searchParams.delete('X-Amz-Signature');
    expect(
      checkMskIamToken(
        msg(Buffer.from(noSig.toString()).toString('base64url')),
      ),
    ).toBe('X-Amz-Signature is malformed');
  });
});
