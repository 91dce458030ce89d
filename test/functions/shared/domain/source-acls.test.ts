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
  const CLUSTER_NAME_PREFIX = 'orders-express';

  it("follows the docs' lists for the example plan (bidirectional, ACLs copied)", () => {
    const acls = requiredSourceAcls(planWith({}));
    const topic = acls.filter((a) => a.resourceType === 'TOPIC');
    expect(
      new Set(topic.map((a) => `${a.patternType}:${a.resourceName}`)),
    ).toEqual(
      new Set([
        'LITERAL:orders',
        'LITERAL:order_status',
        'PREFIXED:__amazon_msk_replicator_',
        `PREFIXED:${CLUSTER_NAME_PREFIX}`,
      ]),
    );
    const opsOf = (name: string) =>
      topic.filter((a) => a.resourceName === name).map((a) => a.operation);
    expect(opsOf('orders')).toEqual([
      'Read',
      'Describe',
      'DescribeConfigs',
      'Create',
      'Write',
      'Alter',
      'AlterConfigs',
    ]);
    const heartbeat = [
      'Create',
      'Read',
      'Write',
      'Describe',
      'DescribeConfigs',
      'Alter',
      'AlterConfigs',
    ];
    expect(opsOf('__amazon_msk_replicator_')).toEqual(heartbeat);
    expect(opsOf(CLUSTER_NAME_PREFIX)).toEqual(heartbeat);
    const group = acls.filter((a) => a.resourceType === 'GROUP');
    expect(group.map((a) => `${a.resourceName}:${a.operation}`)).toEqual([
      'order-status:Read',
      'order-status:Describe',
      'customer-notification:Read',
      'customer-notification:Describe',
    ]);
    expect(
      acls.filter((a) => a.resourceType === 'CLUSTER').map((a) => a.operation),
    ).toEqual([
      'Create',
      'Describe',
      'IdempotentWrite',
      'DescribeConfigs',
      'Alter',
    ]);
    const names = acls.map((a) => `${a.resourceName}:${a.operation}`);
    expect(names.some((n) => n.includes('ClusterAction'))).toBe(false);
    expect(names.some((n) => n.includes('mskr-offset-syncs'))).toBe(false);
  });

  it('asks only for the source side when the plan is one-way', () => {
    const acls = requiredSourceAcls(planWith({ bidirectional: false }));
    const scopes = new Set(
      acls
        .filter((a) => a.resourceType === 'TOPIC')
        .map((a) => `${a.patternType}:${a.resourceName}`),
    );
    expect(scopes).toEqual(
      new Set([
        'LITERAL:orders',
        'LITERAL:order_status',
        'PREFIXED:__amazon_msk_replicator_',
      ]),
    );
    expect(
      acls.filter((a) => a.resourceName === 'orders').map((a) => a.operation),
    ).toEqual(['Read', 'Describe', 'DescribeConfigs']);
    expect(
      acls.filter((a) => a.resourceType === 'CLUSTER').map((a) => a.operation),
    ).toEqual(['Create', 'Describe', 'IdempotentWrite', 'DescribeConfigs']);
  });

  it('asks for cluster Alter only when ACLs are copied into the external cluster', () => {
    const acls = requiredSourceAcls(
      planWith({ copyAccessControlListsForTopics: false }),
    );
    expect(
      acls.filter((a) => a.resourceType === 'CLUSTER').map((a) => a.operation),
    ).not.toContain('Alter');
  });

  it('uses the first 28 characters of a long MSK cluster name', () => {
    const name = 'a-very-long-msk-express-cluster-name-for-orders';
    const plan = PlanSchema.parse({
      ...example,
      target: {
        ...example.target,
        mskClusterArn: example.target.mskClusterArn.replace(
          'orders-express',
          name,
        ),
      },
    });
    const prefixes = requiredSourceAcls(plan)
      .filter((a) => a.patternType === 'PREFIXED')
      .map((a) => a.resourceName);
    expect(prefixes).toContain(name.slice(0, 28));
    expect(name.slice(0, 28)).toHaveLength(28);
  });

  it('collapses everything into the wildcard when one pattern cannot be scoped', () => {
    const acls = requiredSourceAcls(
      planWith({
        topics: ['orders', 'pay(ments|outs)'],
        consumerGroups: ['.*'],
      }),
    );
    const dataTopics = acls.filter(
      (a) => a.resourceType === 'TOPIC' && a.patternType === 'LITERAL',
    );
    expect(new Set(dataTopics.map((a) => a.resourceName))).toEqual(
      new Set(['*']),
    );
    expect(dataTopics[0]?.reason).toContain('"pay(ments|outs)"');
    // The wildcard covers the heartbeat prefixes for every operation it has.
    expect(
      acls.filter((a) => a.patternType === 'PREFIXED').map((a) => a.operation),
    ).toEqual([]);
    expect(
      acls.filter((a) => a.resourceType === 'GROUP').map((a) => a.resourceName),
    ).toEqual(['*', '*']);
  });

  it('drops literal names a prefix already covers', () => {
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
    expect(topicScopes).toEqual(
      new Set(['PREFIXED:orders.', 'PREFIXED:__amazon_msk_replicator_']),
    );
  });
});

describe('kafkaAclsCommands', () => {
  const head =
    'kafka-acls.sh --bootstrap-server k1:9096,k2:9096 --command-config admin.properties --add --allow-principal User:replicator';

  it('prints one kafka-acls.sh call per resource with all its operations', () => {
    const acls = requiredSourceAcls(planWith({}));
    const lines = kafkaAclsCommands(acls, {
      principal: 'replicator',
      bootstrap: 'k1:9096,k2:9096',
    });
    const ops = (list: string[]) =>
      list.map((o) => `--operation ${o}`).join(' ');
    const topicOps = ops([
      'Read',
      'Describe',
      'DescribeConfigs',
      'Create',
      'Write',
      'Alter',
      'AlterConfigs',
    ]);
    const heartbeatOps = ops([
      'Create',
      'Read',
      'Write',
      'Describe',
      'DescribeConfigs',
      'Alter',
      'AlterConfigs',
    ]);
    expect(lines).toEqual([
      `${head} ${topicOps} --topic orders`,
      `${head} ${topicOps} --topic order_status`,
      `${head} ${heartbeatOps} --topic __amazon_msk_replicator_ --resource-pattern-type prefixed`,
      `${head} ${heartbeatOps} --topic orders-express --resource-pattern-type prefixed`,
      `${head} ${ops(['Read', 'Describe'])} --group order-status`,
      `${head} ${ops(['Read', 'Describe'])} --group customer-notification`,
      `${head} ${ops(['Create', 'Describe', 'IdempotentWrite', 'DescribeConfigs', 'Alter'])} --cluster`,
    ]);
  });

  it('quotes the wildcard for the shell', () => {
    const acls = requiredSourceAcls(planWith({ topics: ['orders.*', '.*'] }));
    const lines = kafkaAclsCommands(
      acls.filter((a) => a.operation === 'Read'),
      { principal: 'replicator', bootstrap: 'k1:9096,k2:9096' },
    );
    expect(lines[0]).toBe(`${head} --operation Read --topic '*'`);
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
