import { describe, expect, it } from 'vitest';
import {
  BASE_BUNDLING,
  bundlingFor,
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
