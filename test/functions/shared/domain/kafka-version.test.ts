import { describe, expect, it } from 'vitest';
import {
  checkKafkaVersion,
  kafkaVersionFromApis,
} from '../../../../functions/shared/domain/kafka-version.ts';

const apis = (...keys: number[]) => new Map(keys.map((k) => [k, 0]));

describe('kafkaVersionFromApis', () => {
  it.each([
    [[0, 3, 18, 32, 36], '1.0'],
    [[0, 3, 18, 36, 44, 45, 47], '2.4'],
    [[0, 3, 36, 48, 50], '2.7'],
    [[0, 3, 36, 50, 60, 61], '2.8'],
    [[0, 3, 36, 60, 61, 65, 66], '3.0'],
    [[0, 1, 2], null],
  ])('reads %j as Kafka %s or later', (keys, expected) => {
    expect(kafkaVersionFromApis(apis(...keys))).toBe(expected);
  });
});

describe('checkKafkaVersion', () => {
  it('passes 2.8 with the 2.8.0/2.8.1 caveat and 3.x plainly', () => {
    expect(checkKafkaVersion(apis(60))).toMatchObject({
      ok: true,
      atLeast: '2.8',
    });
    expect(checkKafkaVersion(apis(60)).reason).toContain(
      '2.8.0 and 2.8.1 look the same',
    );
    expect(checkKafkaVersion(apis(60, 65))).toEqual({
      ok: true,
      atLeast: '3.0',
      reason: 'the brokers advertise the APIs of Kafka 3.0 or later',
    });
  });

  it('fails older brokers and unrecognisable ones, saying what is needed', () => {
    expect(checkKafkaVersion(apis(36, 50))).toMatchObject({
      ok: false,
      atLeast: '2.7',
    });
    expect(checkKafkaVersion(apis(36, 50)).reason).toContain(
      'needs Apache Kafka 2.8.1 or later',
    );
    expect(checkKafkaVersion(apis(0, 1))).toMatchObject({
      ok: false,
      atLeast: null,
    });
  });
});
