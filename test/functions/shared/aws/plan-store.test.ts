import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3PlanStore } from '../../../../functions/shared/aws/plan-store.ts';
import { ValidationError } from '../../../../functions/shared/domain/errors.ts';

const s3 = mockClient(S3Client);
const ref = { bucket: 'plans', key: 'm1.json', versionId: 'v1' };

beforeEach(() => s3.reset());

describe('S3PlanStore', () => {
  it('should read the pinned version', async () => {
    s3.on(GetObjectCommand).resolves({
      // The SDK's stream mixin, reduced to what the store calls.
      Body: { transformToString: async () => '{"a":1}' } as never,
    });
    await expect(new S3PlanStore(new S3Client({})).get(ref)).resolves.toBe(
      '{"a":1}',
    );
    expect(s3).toReceiveCommandWith(GetObjectCommand, {
      Bucket: 'plans',
      Key: 'm1.json',
      VersionId: 'v1',
    });
  });

  it('should say which object is missing', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'no', $metadata: {} }),
    );
    const err = await new S3PlanStore(new S3Client({}))
      .get(ref)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(String(err)).toMatch(/s3:\/\/plans\/m1.json \(version v1\)/);
  });

  it('should return the new version and refuse an unversioned bucket', async () => {
    s3.on(PutObjectCommand).resolvesOnce({ VersionId: 'v9' }).resolves({});
    const store = new S3PlanStore(new S3Client({}));
    await expect(store.put('plans', 'k', '{}')).resolves.toEqual({
      bucket: 'plans',
      key: 'k',
      versionId: 'v9',
    });
    await expect(store.put('plans', 'k', '{}')).rejects.toThrow(
      /enable versioning/,
    );
  });

  it('should refuse an empty object and a missing version', async () => {
    s3.on(GetObjectCommand)
      .resolvesOnce({})
      .rejectsOnce(
        Object.assign(new Error('The specified version does not exist.'), {
          name: 'NoSuchVersion',
          $metadata: { httpStatusCode: 404 },
        }),
      );
    const store = new S3PlanStore(new S3Client({}));
    await expect(store.get(ref)).rejects.toThrow(/is empty/);
    await expect(store.get(ref)).rejects.toThrow(
      /\(version v1\) does not exist/,
    );
  });
});
