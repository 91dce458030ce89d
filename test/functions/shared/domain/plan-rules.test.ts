import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanSchema } from '../../../../functions/shared/domain/plan.ts';
import { checkPlanRules } from '../../../../functions/shared/domain/plan-rules.ts';

const sample = () =>
  JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../../../../events/start-migration.json'),
      'utf8',
    ),
  );

/** Rules of a plan that passes the schema (defaults applied). */
function rules(input: unknown) {
  return checkPlanRules(PlanSchema.parse(input));
}

function sharded(shards: unknown[]) {
  const input = sample();
  delete input.replication.topics;
  delete input.replication.topicsToExclude;
  input.replication.shards = shards;
  return input;
}

describe('checkPlanRules', () => {
  it('finds nothing wrong with the published example', () => {
    expect(rules(sample())).toEqual({ errors: [], warnings: [] });
  });

  it('warns with the quota code when the shards need more than 15 replicators', () => {
    const shards = Array.from({ length: 8 }, (_, i) => ({
      name: `s${i}`,
      topics: i === 0 ? ['orders', 'order_status'] : [`other-${i}`],
    }));
    const { errors, warnings } = rules(sharded(shards));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      {
        path: 'replication.shards',
        message: expect.stringContaining(
          'needs 16 replicators; the default quota is 15 per account and Region: request an increase of Service Quotas code L-8F940D28',
        ),
      },
    ]);
  });

  it('counts one replicator per shard when the plan is not bidirectional', () => {
    const shards = Array.from({ length: 8 }, (_, i) => ({
      name: `s${i}`,
      topics: i === 0 ? ['orders', 'order_status'] : [`other-${i}`],
    }));
    const input = sharded(shards);
    input.replication.bidirectional = false;
    input.cutoverOrder = ['customer-notification', 'order-status', 'orders'];
    expect(rules(input).warnings.map((w) => w.path)).toEqual([
      'replication.bidirectional',
    ]);
  });

  it('warns when a one-way plan moves a producer before a consumer of its topic', () => {
    const input = sample();
    input.replication.bidirectional = false;
    expect(rules(input).warnings).toContainEqual({
      path: 'cutoverOrder',
      message: expect.stringContaining(
        'moves order-status (produces order_status) before customer-notification (consumes it)',
      ),
    });
    // Consumers first: nothing to say; with both replicators, neither.
    input.cutoverOrder = ['customer-notification', 'order-status', 'orders'];
    expect(rules(input).warnings.map((w) => w.path)).not.toContain(
      'cutoverOrder',
    );
    const both = sample();
    expect(rules(both).warnings).toEqual([]);
  });

  it('rejects an empty shard list', () => {
    expect(rules(sharded([])).errors[0]).toEqual({
      path: 'replication.shards',
      message:
        'needs at least one shard; omit `shards` for a single replicator pair',
    });
  });

  it('applies the 750-topic limit to each shard', () => {
    const many = Array.from({ length: 751 }, (_, i) => `t-${i}`);
    const { errors } = rules(
      sharded([
        { name: 'a', topics: ['orders', 'order_status'] },
        { name: 'b', topics: many },
      ]),
    );
    expect(errors).toEqual([
      {
        path: 'replication.shards[1].topics',
        message:
          'lists 751 topics; one replicator copies at most 750: split them into more shards',
      },
    ]);
  });

  it('does not count regular expressions as literal topics', () => {
    const input = sample();
    input.replication.topics = [
      ...Array.from({ length: 750 }, (_, i) => `t-${i}`),
      'orders',
      'order_.*',
    ];
    expect(rules(input).errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('lists 751'),
      }),
    ]);
    input.replication.topics = [
      ...Array.from({ length: 749 }, (_, i) => `t-${i}`),
      'orders',
      'order_.*',
    ];
    expect(rules(input).errors).toEqual([]);
  });

  it('says which shard excludes a topic and when no shard selects it', () => {
    const { errors } = rules(
      sharded([
        { name: 'a', topics: ['orders'] },
        { name: 'b', topics: ['order_.*'], topicsToExclude: ['order_status'] },
      ]),
    );
    expect(errors).toEqual([
      {
        path: 'applications[1].produces[0]',
        message:
          "topic `order_status` is excluded by shard `b`'s topicsToExclude (`order_status`), so it would not be replicated",
      },
      {
        path: 'applications[2].consumes[0]',
        message:
          "topic `order_status` is excluded by shard `b`'s topicsToExclude (`order_status`), so it would not be replicated",
      },
    ]);
    const none = rules(sharded([{ name: 'a', topics: ['orders'] }])).errors;
    expect(none[0]?.message).toBe(
      "topic `order_status` is not replicated: no shard's topics match it",
    );
  });

  it('rejects patterns longer than the API allows', () => {
    const input = sample();
    input.replication.consumerGroups.push(`g${'x'.repeat(256)}`);
    expect(rules(input).errors).toEqual([
      {
        path: 'replication.consumerGroups[2]',
        message: 'is 257 characters; the API allows at most 256',
      },
    ]);
  });

  it('checks the region of the root CA secret', () => {
    const input = sample();
    input.source.tls.rootCaSecretArn =
      'arn:aws:secretsmanager:eu-central-1:123456789012:secret:ca-AbCdEf';
    expect(rules(input).errors.map((e) => e.path)).toEqual([
      'source.tls.rootCaSecretArn',
    ]);
  });

  it('warns about an application that names no topics and no groups', () => {
    const input = sample();
    input.applications.push({ name: 'batch' });
    input.cutoverOrder.push('batch');
    expect(rules(input).warnings).toEqual([
      {
        path: 'applications[3]',
        message:
          'application `batch` names no topics and no groups, so its cutover cannot be verified',
      },
    ]);
  });

  it('lets one application list the same group twice without a conflict', () => {
    const input = sample();
    input.applications[1].consumerGroups.push('order-status');
    expect(rules(input).errors).toEqual([]);
  });

  it('shortens a long list of applications missing from cutoverOrder', () => {
    const input = sample();
    for (let i = 0; i < 12; i++) {
      input.applications.push({ name: `extra-${i}`, consumes: ['orders'] });
    }
    const [missing] = rules(input).errors;
    expect(missing?.path).toBe('cutoverOrder');
    expect(missing?.message).toMatch(/missing `extra-0`, .* and 2 more$/);
  });

  it('accepts a plan without cutoverOrder', () => {
    const input = sample();
    delete input.cutoverOrder;
    expect(rules(input).errors).toEqual([]);
  });
});
