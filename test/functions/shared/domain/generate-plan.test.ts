import { describe, expect, it } from 'vitest';
import { generatePlan } from '../../../../functions/shared/domain/generate-plan.ts';
import { replicatorNames } from '../../../../functions/shared/domain/replicator-config.ts';
import { validatePlan } from '../../../../functions/shared/domain/validate.ts';

describe('generatePlan', () => {
  const input = generatePlan({
    apps: 1000,
    topics: 5000,
    groups: 5000,
    shards: 7,
  });

  it('generates a valid 1,000-application plan without warnings', () => {
    const result = validatePlan(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.plan.applications).toHaveLength(1000);
    expect(replicatorNames(result.plan)).toHaveLength(14);
  });

  it('is larger than the 256 KiB Step Functions payload (so plans travel by reference)', () => {
    const bytes = Buffer.byteLength(JSON.stringify(input));
    expect(bytes).toBeGreaterThan(256 * 1024);
  });

  it('keeps every shard within 750 literal topics and gives every app topics and groups', () => {
    const shards = input.replication.shards ?? [];
    expect(shards).toHaveLength(7);
    expect(shards.flatMap((s) => s.topics)).toHaveLength(5000);
    for (const s of shards) expect(s.topics.length).toBeLessThanOrEqual(750);
    for (const app of input.applications) {
      expect(app.produces?.length).toBeGreaterThan(0);
      expect(app.consumerGroups?.length).toBeGreaterThan(0);
    }
  });

  it('is deterministic', () => {
    expect(
      generatePlan({ apps: 1000, topics: 5000, groups: 5000, shards: 7 }),
    ).toEqual(input);
  });

  it('generates an unsharded plan for one shard', () => {
    const small = generatePlan({ apps: 3, topics: 6, groups: 3, shards: 1 });
    expect(small.replication.shards).toBeUndefined();
    expect(small.replication.topics).toHaveLength(6);
    expect(validatePlan(small).ok).toBe(true);
  });

  it('refuses numbers that cannot give a valid plan', () => {
    expect(() =>
      generatePlan({ apps: 10, topics: 5, groups: 0, shards: 1 }),
    ).toThrow('topics (5) must be at least apps (10)');
    expect(() =>
      generatePlan({ apps: 10, topics: 1600, groups: 0, shards: 2 }),
    ).toThrow('exceeds 750 topics per replicator');
    expect(() =>
      generatePlan({ apps: 0, topics: 1, groups: 0, shards: 1 }),
    ).toThrow('apps must be a positive integer');
  });
});
