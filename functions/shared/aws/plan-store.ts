/**
 * Plan objects in S3: versioned bucket, every read pinned to one object
 * version so the plan cannot change under a running migration.
 */
import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PlanRef } from '../contracts.ts';
import { ValidationError } from '../domain/errors.ts';
import type { PlanStore } from '../ports.ts';

/** {@link PlanStore} over S3 (`GetObject` with `VersionId`). */
export class S3PlanStore implements PlanStore {
  constructor(private readonly s3: S3Client) {}

  async get(ref: PlanRef): Promise<string> {
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          VersionId: ref.versionId,
        }),
      );
      if (!out.Body) {
        throw new ValidationError(
          `plan s3://${ref.bucket}/${ref.key} (version ${ref.versionId}) is empty`,
        );
      }
      return await out.Body.transformToString('utf-8');
    } catch (err) {
      // A missing key or version never appears later: not worth a retry.
      if (err instanceof NoSuchKey || isNoSuchVersion(err)) {
        throw new ValidationError(
          `plan s3://${ref.bucket}/${ref.key} (version ${ref.versionId}) does not exist`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async put(bucket: string, key: string, body: string): Promise<PlanRef> {
    const out = await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
      }),
    );
    if (!out.VersionId) {
      throw new ValidationError(
        `bucket ${bucket} returned no object version: enable versioning so the plan can be pinned`,
      );
    }
    return { bucket, key, versionId: out.VersionId };
  }
}

function isNoSuchVersion(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'NoSuchVersion' || name === 'InvalidArgument';
}
