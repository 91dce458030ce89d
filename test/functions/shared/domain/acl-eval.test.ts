import { describe, expect, it } from 'vitest';
import {
  aclGaps,
  authorize,
  operationWireName,
} from '../../../../functions/shared/domain/acl-eval.ts';
import type { RequiredAcl } from '../../../../functions/shared/domain/source-acls.ts';
import type { KafkaAcl } from '../../../../functions/shared/ports.ts';

const P = 'User:repl';
const acl = (over: Partial<KafkaAcl>): KafkaAcl => ({
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  principal: P,
  host: '*',
  operation: 'READ',
  permission: 'ALLOW',
  ...over,
});
const need = (over: Partial<RequiredAcl>): RequiredAcl => ({
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  operation: 'Read',
  reason: '',
  ...over,
});

describe('operationWireName', () => {
  it('maps kafka-acls.sh names to wire enum names', () => {
    expect(operationWireName('DescribeConfigs')).toBe('DESCRIBE_CONFIGS');
    expect(operationWireName('ClusterAction')).toBe('CLUSTER_ACTION');
    expect(operationWireName('Read')).toBe('READ');
  });
});

describe('authorize', () => {
  it('matches literal, wildcard and prefixed resources', () => {
    expect(authorize([acl({})], P, 'TOPIC', 'orders', 'Read').kind).toBe(
      'allowed',
    );
    expect(authorize([acl({})], P, 'TOPIC', 'orders2', 'Read').kind).toBe(
      'missing',
    );
    expect(
      authorize([acl({ resourceName: '*' })], P, 'TOPIC', 'x', 'Read').kind,
    ).toBe('allowed');
    expect(
      authorize(
        [acl({ resourceName: 'ord', patternType: 'PREFIXED' })],
        P,
        'TOPIC',
        'orders',
        'Read',
      ).kind,
    ).toBe('allowed');
    // A PREFIXED "*" is a literal prefix, not a wildcard.
    expect(
      authorize(
        [acl({ resourceName: '*', patternType: 'PREFIXED' })],
        P,
        'TOPIC',
        'orders',
        'Read',
      ).kind,
    ).toBe('missing');
    expect(
      authorize([acl({ resourceType: 'GROUP' })], P, 'TOPIC', 'orders', 'Read')
        .kind,
    ).toBe('missing');
  });

  it('applies User:* but not other principals', () => {
    expect(
      authorize([acl({ principal: 'User:*' })], P, 'TOPIC', 'orders', 'Read')
        .kind,
    ).toBe('allowed');
    expect(
      authorize(
        [acl({ principal: 'User:other' })],
        P,
        'TOPIC',
        'orders',
        'Read',
      ).kind,
    ).toBe('missing');
  });

  it('implies Describe from Read/Write/Delete/Alter and DescribeConfigs from AlterConfigs, for ALLOW only', () => {
    for (const op of ['READ', 'WRITE', 'DELETE', 'ALTER']) {
      expect(
        authorize([acl({ operation: op })], P, 'TOPIC', 'orders', 'Describe')
          .kind,
      ).toBe('allowed');
    }
    expect(
      authorize(
        [acl({ operation: 'ALTER_CONFIGS' })],
        P,
        'TOPIC',
        'orders',
        'DescribeConfigs',
      ).kind,
    ).toBe('allowed');
    expect(
      authorize([acl({ operation: 'DESCRIBE' })], P, 'TOPIC', 'orders', 'Read')
        .kind,
    ).toBe('missing');
    expect(
      authorize([acl({ operation: 'ALL' })], P, 'TOPIC', 'orders', 'Create')
        .kind,
    ).toBe('allowed');
    // A DENY of Read does not deny Describe.
    expect(
      authorize(
        [
          acl({ operation: 'ALL' }),
          acl({ operation: 'READ', permission: 'DENY' }),
        ],
        P,
        'TOPIC',
        'orders',
        'Describe',
      ).kind,
    ).toBe('allowed');
  });

  it('lets a matching DENY win over any ALLOW, from any host', () => {
    const deny = acl({
      resourceName: 'ord',
      patternType: 'PREFIXED',
      permission: 'DENY',
      host: '10.0.0.9',
    });
    const d = authorize(
      [acl({ operation: 'ALL', resourceName: '*' }), deny],
      P,
      'TOPIC',
      'orders',
      'Read',
    );
    expect(d).toEqual({ kind: 'denied', by: deny });
    expect(
      authorize(
        [
          acl({ operation: 'ALL', permission: 'DENY', principal: 'User:*' }),
          acl({}),
        ],
        P,
        'TOPIC',
        'orders',
        'Read',
      ).kind,
    ).toBe('denied');
  });

  it('counts an ALLOW only when it is for every host', () => {
    expect(
      authorize([acl({ host: '10.0.0.9' })], P, 'TOPIC', 'orders', 'Read').kind,
    ).toBe('missing');
  });
});

describe('aclGaps', () => {
  const existing = {
    topics: ['orders.created', 'orders.paid', 'payments'],
    groups: ['billing'],
  };

  it('needs the prefix itself covered, not just the topics that exist today', () => {
    const required = [
      need({
        resourceName: 'orders.',
        patternType: 'PREFIXED',
        operation: 'Create',
      }),
    ];
    const literalOnly = ['orders.created', 'orders.paid'].map((n) =>
      acl({ resourceName: n, operation: 'CREATE' }),
    );
    expect(aclGaps(required, literalOnly, P, existing)).toEqual([
      { required: required[0], kind: 'missing', affected: [] },
    ]);
    expect(
      aclGaps(
        required,
        [
          acl({
            resourceName: 'orders',
            patternType: 'PREFIXED',
            operation: 'CREATE',
          }),
        ],
        P,
        existing,
      ),
    ).toEqual([]);
  });

  it('finds a DENY on one existing topic under a granted wildcard', () => {
    const required = [need({ resourceName: '*', operation: 'Read' })];
    const deny = acl({ resourceName: 'orders.paid', permission: 'DENY' });
    const gaps = aclGaps(
      required,
      [acl({ resourceName: '*', operation: 'ALL' }), deny],
      P,
      existing,
    );
    expect(gaps).toEqual([
      {
        required: required[0],
        kind: 'denied',
        affected: ['orders.paid'],
        deny,
      },
    ]);
  });

  it('checks the cluster resource by its fixed name', () => {
    const required = [
      need({
        resourceType: 'CLUSTER',
        resourceName: 'kafka-cluster',
        operation: 'IdempotentWrite',
      }),
    ];
    expect(aclGaps(required, [], P, existing)[0]?.kind).toBe('missing');
    expect(
      aclGaps(
        required,
        [
          acl({
            resourceType: 'CLUSTER',
            resourceName: 'kafka-cluster',
            operation: 'IDEMPOTENT_WRITE',
          }),
        ],
        P,
        existing,
      ),
    ).toEqual([]);
  });
});

describe('aclGaps on large plans', () => {
  it('evaluates 5,000 topics, each with its own literal ACL', () => {
    const topics = Array.from(
      { length: 5000 },
      (_, i) => `t${String(i).padStart(4, '0')}`,
    );
    const deny = acl({
      resourceName: 't2500',
      permission: 'DENY',
      host: '10.0.0.9',
    });
    const acls = [
      ...topics
        .filter((t) => t !== 't4999')
        .map((t) => acl({ resourceName: t, operation: 'READ' })),
      deny,
      acl({ resourceName: 't', patternType: 'PREFIXED', operation: 'WRITE' }),
    ];
    const required = [
      ...topics.map((t) => need({ resourceName: t, operation: 'Read' })),
      need({ resourceName: 't', patternType: 'PREFIXED', operation: 'Read' }),
      need({ resourceName: 't', patternType: 'PREFIXED', operation: 'Write' }),
      need({ resourceName: '*', operation: 'Describe' }),
    ];
    const gaps = aclGaps(required, acls, P, { topics, groups: [] });
    expect(gaps).toEqual([
      {
        required: need({ resourceName: 't2500', operation: 'Read' }),
        kind: 'denied',
        affected: ['t2500'],
        deny,
      },
      {
        required: need({ resourceName: 't4999', operation: 'Read' }),
        kind: 'missing',
        affected: ['t4999'],
      },
      {
        required: required[5000],
        kind: 'denied',
        affected: ['t2500'],
        deny,
      },
      // Describe is implied on every topic (Read or the Write prefix), but
      // no ACL covers topics the reverse replicator has yet to create.
      { required: required[5002], kind: 'missing', affected: [] },
    ]);
  });
});

/** The definition the index must agree with: a scan of every ACL. */
function scanAuthorize(
  acls: readonly KafkaAcl[],
  principal: string,
  type: string,
  name: string,
  operation: string,
): string {
  const op = operationWireName(operation);
  const applicable = acls.filter(
    (a) =>
      (a.principal === principal || a.principal === 'User:*') &&
      a.resourceType === type &&
      (a.patternType === 'PREFIXED'
        ? name.startsWith(a.resourceName)
        : a.resourceName === '*' || a.resourceName === name),
  );
  const deny = applicable.findIndex(
    (a) =>
      a.permission === 'DENY' && (a.operation === 'ALL' || a.operation === op),
  );
  if (deny >= 0) return `denied:${acls.indexOf(applicable[deny] as KafkaAcl)}`;
  const implied = (a: string) =>
    a === 'ALL' ||
    a === op ||
    (op === 'DESCRIBE' && ['READ', 'WRITE', 'DELETE', 'ALTER'].includes(a)) ||
    (op === 'DESCRIBE_CONFIGS' && a === 'ALTER_CONFIGS');
  return applicable.some(
    (a) => a.permission === 'ALLOW' && a.host === '*' && implied(a.operation),
  )
    ? 'allowed'
    : 'missing';
}

describe('authorize agrees with a scan of every ACL', () => {
  it('on seeded random ACL sets', () => {
    // A small linear congruential generator keeps the cases reproducible.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const names = ['a', 'ab', 'abc', 'b', 'ba', '*'];
    const ops = ['READ', 'WRITE', 'DESCRIBE', 'ALL', 'ALTER_CONFIGS', 'ALTER'];
    const wanted = ['Read', 'Write', 'Describe', 'DescribeConfigs', 'Create'];
    for (let round = 0; round < 300; round++) {
      const acls = Array.from({ length: rand(8) }, () =>
        acl({
          resourceType: pick(['TOPIC', 'GROUP'] as const),
          resourceName: pick(names),
          patternType: pick(['LITERAL', 'PREFIXED'] as const),
          principal: pick([P, 'User:*', 'User:other']),
          host: pick(['*', '10.0.0.9']),
          operation: pick(ops),
          permission: pick(['ALLOW', 'DENY'] as const),
        }),
      );
      for (const name of ['a', 'abc', 'ba', 'c']) {
        for (const operation of wanted) {
          const d = authorize(acls, P, 'TOPIC', name, operation);
          const got =
            d.kind === 'denied' ? `denied:${acls.indexOf(d.by)}` : d.kind;
          expect(got).toBe(scanAuthorize(acls, P, 'TOPIC', name, operation));
        }
      }
    }
  });
});
