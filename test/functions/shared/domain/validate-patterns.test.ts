/**
 * Plan validation reads topic and group patterns as MSK Replicator does
 * (Java regular expressions matching the whole name), and always returns:
 * a catastrophic pattern is either answered in linear time or reported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type PlanIssue,
  validatePlan,
} from '../../../../functions/shared/domain/validate.ts';

const sampleText = readFileSync(
  join(import.meta.dirname, '../../../../events/start-migration.json'),
  'utf8',
);
const sample = () => JSON.parse(sampleText);

function issuesOf(plan: unknown): PlanIssue[] {
  const result = validatePlan(plan);
  return result.ok ? [] : result.issues;
}

const LONG = 'a'.repeat(35);

describe('validatePlan with Java patterns', () => {
  it('ends on `(a+)+b` against a 35-character topic, with the right answer', () => {
    const plan = sample();
    plan.replication.topics = ['(a+)+b', 'orders', 'order_status'];
    plan.applications[0].produces.push(LONG);
    expect(issuesOf(plan)).toEqual([
      {
        path: 'applications[0].produces[1]',
        message: `topic \`${LONG}\` is not replicated: no pattern in replication.topics matches it`,
      },
    ]);
  });

  it('reports a pattern too complex to evaluate once, at its own path', () => {
    const plan = sample();
    plan.replication.topics = ['(?=(a+)+b)a*', 'orders', 'order_status'];
    plan.applications[0].produces.push(LONG);
    plan.applications[1].produces.push(`${LONG}a`);
    const issues = issuesOf(plan);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('replication.topics[0]');
    expect(issues[0]?.message).toMatch(
      /^pattern `\(\?=\(a\+\)\+b\)a\*` is too complex to evaluate within 1,000,000 steps/,
    );
  });

  it("names a shard's pattern by its shard path", () => {
    const plan = sample();
    plan.replication.topics = undefined;
    plan.replication.topicsToExclude = undefined;
    plan.replication.shards = [
      {
        name: 'main',
        topics: ['orders', 'order_status'],
        topicsToExclude: ['(a|aa)+\\1b'],
      },
    ];
    plan.applications[0].produces = ['orders'];
    const issues = issuesOf(plan);
    expect(issues).toEqual([]);
    plan.replication.shards[0].topics.push('a+');
    plan.applications[0].produces.push(LONG);
    const again = issuesOf(plan);
    expect(again.map((i) => i.path)).toEqual([
      'replication.shards[0].topicsToExclude[0]',
    ]);
  });

  it('accepts patterns only Java accepts, with their Java meaning', () => {
    const plan = sample();
    plan.replication.topics = ['(?i)ORDERS', '\\Qorder_status\\E'];
    plan.replication.consumerGroups = ['order-status++', '(?>customer-.*)'];
    expect(validatePlan(plan).ok).toBe(true);
  });

  it('reads `\\Q…\\E` as Java does, not as the letters Q and E', () => {
    const plan = sample();
    plan.replication.topics = ['\\Qorders\\E', 'order_status'];
    plan.applications[0].produces.push('QordersE');
    expect(issuesOf(plan)).toEqual([
      {
        path: 'applications[0].produces[1]',
        message:
          'topic `QordersE` is not replicated: no pattern in replication.topics matches it',
      },
    ]);
  });

  it("refuses what Java refuses, with Java's reason and the pattern's path", () => {
    const plan = sample();
    plan.replication.topics = ['orders', 'order_status', '[]', 'a{,3}'];
    plan.replication.topicsToExclude = ['\\q'];
    plan.replication.consumerGroups = [
      'order-status',
      'customer-notification',
      '{foo}',
      '[^]',
    ];
    const issues = issuesOf(plan).map((i) => [i.path, i.message]);
    const java = (p: string, reason: string) =>
      `\`${p}\` is not a valid regular expression (MSK Replicator reads patterns as Java's java.util.regex): ${reason}`;
    expect(issues).toEqual([
      [
        'replication.topics[2]',
        java('[]', 'Unclosed character class near index 1'),
      ],
      [
        'replication.topics[3]',
        java('a{,3}', 'Illegal repetition near index 2'),
      ],
      [
        'replication.topicsToExclude[0]',
        java('\\q', 'Illegal/unsupported escape sequence near index 1'),
      ],
      [
        'replication.consumerGroups[2]',
        java('{foo}', 'Illegal repetition near index 1'),
      ],
      [
        'replication.consumerGroups[3]',
        java('[^]', 'Unclosed character class near index 2'),
      ],
    ]);
  });

  it('says so when a pattern is valid in Java but not supported here', () => {
    const plan = sample();
    plan.replication.consumerGroups.push('(?x) order - status');
    expect(issuesOf(plan)).toEqual([
      {
        path: 'replication.consumerGroups[2]',
        message:
          '`(?x) order - status` is valid in Java but not supported by msk-cutover: the COMMENTS flag (?x)',
      },
    ]);
  });

  it('does not parse a pattern longer than the API allows', () => {
    const plan = sample();
    plan.replication.topics.push('('.repeat(1_000));
    expect(issuesOf(plan)).toEqual([
      {
        path: 'replication.topics[2]',
        message: 'is 1000 characters; the API allows at most 249',
      },
    ]);
    // Past any plan field's bound, the document check answers first.
    plan.replication.topics[2] = '('.repeat(5_000_000);
    expect(issuesOf(plan)).toEqual([
      {
        path: 'replication.topics[2]',
        message:
          'is 5000000 characters long; no plan field allows more than 4096',
      },
    ]);
  });

  it('applies group exclusions with Java semantics', () => {
    const plan = sample();
    plan.replication.consumerGroupsToExclude = ['(?i)CUSTOMER-.*'];
    expect(issuesOf(plan)).toEqual([
      {
        path: 'applications[2].consumerGroups[0]',
        message:
          'group `customer-notification` is excluded by replication.consumerGroupsToExclude (`(?i)CUSTOMER-.*`), so its offsets would not move',
      },
    ]);
  });
});
