import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Plan,
  PlanSchema,
} from '../../../../functions/shared/domain/plan.ts';
import {
  aclScopeOfPattern,
  kafkaAclsCommands,
  requiredSourceAcls,
} from '../../../../functions/shared/domain/source-acls.ts';

const example = JSON.parse(
  readFileSync(
    new URL('../../../../events/start-migration.json', import.meta.url),
    'utf8',
  ),
);

function planWith(replication: Record<string, unknown>): Plan {
  return PlanSchema.parse({
    ...example,
    replication: { ...example.replication, ...replication },
  });
}

describe('aclScopeOfPattern', () => {
  it.each([
    ['orders', { resourceName: 'orders', patternType: 'LITERAL' }],
    ['order_status', { resourceName: 'order_status', patternType: 'LITERAL' }],
    [
      'orders\\.created',
      { resourceName: 'orders.created', patternType: 'LITERAL' },
    ],
    ['orders\\..*', { resourceName: 'orders.', patternType: 'PREFIXED' }],
    ['orders.*', { resourceName: 'orders', patternType: 'PREFIXED' }],
    ['^payments-.*$', { resourceName: 'payments-', patternType: 'PREFIXED' }],
    ['.*', { resourceName: '*', patternType: 'LITERAL' }],
  ])('maps %s to the narrowest ACL pattern', (pattern, expected) => {
    expect(aclScopeOfPattern(pattern)).toEqual(expected);
  });

  it.each(['orders|payments', 'orders[0-9]+', '.*-dlq', 'a\\d'])(
    'widens %s to the wildcard and says why',
    (pattern) => {
      const scope = aclScopeOfPattern(pattern);
      expect(scope.resourceName).toBe('*');
      expect(scope.widened).toContain(`"${pattern}"`);
      expect(scope.widened).toContain('cannot express a regular expression');
    },
  );

  it('reads a bare dot as a regex and says how to write the literal', () => {
    expect(aclScopeOfPattern('orders.created')).toEqual({
      resourceName: '*',
      patternType: 'LITERAL',
      widened:
        'pattern "orders.created" is neither a literal name nor a plain prefix, and Kafka ACLs cannot express a regular expression ("." matches any character: write "orders\\.created" for a literal dot)',
    });
    expect(aclScopeOfPattern('v1.orders.*').widened).toContain(
      'write "v1\\.orders.*" for a literal dot',
    );
  });
});

describe('requiredSourceAcls', () => {
  it('scopes topic and group ACLs to the literal names of the example plan', () => {
    const acls = requiredSourceAcls(planWith({}));
    const topic = acls.filter((a) => a.resourceType === 'TOPIC');
    expect(
      new Set(topic.map((a) => `${a.patternType}:${a.resourceName}`)),
    ).toEqual(
      new Set([
        'LITERAL:orders',
        'LITERAL:order_status',
        'PREFIXED:mskr-offset-syncs',
      ]),
    );
    expect(
      topic.filter((a) => a.resourceName === 'orders').map((a) => a.operation),
    ).toEqual([
      'Alter',
      'AlterConfigs',
      'Create',
      'Describe',
      'DescribeConfigs',
      'Read',
      'Write',
    ]);
    const group = acls.filter((a) => a.resourceType === 'GROUP');
    expect(group.map((a) => `${a.resourceName}:${a.operation}`)).toEqual([
      'order-status:Read',
      'order-status:Describe',
      'customer-notification:Read',
      'customer-notification:Describe',
    ]);
    expect(
      acls.filter((a) => a.resourceType === 'CLUSTER').map((a) => a.operation),
    ).toEqual(['Create', 'ClusterAction', 'Describe', 'DescribeConfigs']);
  });

  it('collapses everything into the wildcard when one pattern cannot be scoped', () => {
    const acls = requiredSourceAcls(
      planWith({
        topics: ['orders', 'pay(ments|outs)'],
        consumerGroups: ['.*'],
      }),
    );
    const topicNames = new Set(
      acls.filter((a) => a.resourceType === 'TOPIC').map((a) => a.resourceName),
    );
    expect(topicNames).toEqual(new Set(['*']));
    const wildcard = acls.find((a) => a.resourceType === 'TOPIC');
    expect(wildcard?.reason).toContain('"pay(ments|outs)"');
    expect(
      acls.filter((a) => a.resourceType === 'GROUP').map((a) => a.resourceName),
    ).toEqual(['*', '*']);
  });

  it('drops literal names a prefix already covers and omits the offset-sync prefix when one-way', () => {
    const acls = requiredSourceAcls(
      planWith({
        topics: ['orders\\..*', 'orders\\.created'],
        bidirectional: false,
      }),
    );
    const topicScopes = new Set(
      acls
        .filter((a) => a.resourceType === 'TOPIC')
        .map((a) => `${a.patternType}:${a.resourceName}`),
    );
    expect(topicScopes).toEqual(new Set(['PREFIXED:orders.']));
  });
});

describe('kafkaAclsCommands', () => {
  it('prints one exact kafka-acls.sh line per ACL, quoting the wildcard', () => {
    const acls = requiredSourceAcls(planWith({ topics: ['orders.*', '.*'] }));
    const lines = kafkaAclsCommands(
      acls.filter(
        (a) => a.operation === 'Read' || a.operation === 'ClusterAction',
      ),
      { principal: 'replicator', bootstrap: 'k1:9096,k2:9096' },
    );
    const head =
      'kafka-acls.sh --bootstrap-server k1:9096,k2:9096 --command-config admin.properties --add --allow-principal User:replicator';
    expect(lines).toEqual([
      `${head} --operation Read --topic '*'`,
      `${head} --operation Read --group order-status`,
      `${head} --operation Read --group customer-notification`,
      `${head} --operation ClusterAction --cluster`,
    ]);
  });

  it('marks prefixed resources', () => {
    const [line] = kafkaAclsCommands(
      [
        {
          resourceType: 'TOPIC',
          resourceName: 'orders.',
          patternType: 'PREFIXED',
          operation: 'Write',
          reason: '',
        },
      ],
      { principal: 'svc user', bootstrap: 'k1:9096' },
    );
    expect(line).toBe(
      "kafka-acls.sh --bootstrap-server k1:9096 --command-config admin.properties --add --allow-principal 'User:svc user' --operation Write --topic orders. --resource-pattern-type prefixed",
    );
  });
});
