/**
 * MSK Replicator API. CreateReplicator has no idempotency token, so a name
 * that already exists comes back as `{kind: 'conflict'}` for the caller to
 * look up and adopt; a replicator that is gone reads as `null`.
 */
import {
  ConflictException,
  CreateReplicatorCommand,
  type CreateReplicatorCommandInput,
  DeleteReplicatorCommand,
  DescribeReplicatorCommand,
  type DescribeReplicatorResponse,
  type KafkaClient,
  NotFoundException,
  paginateListReplicators,
  type ReplicatorSummary,
} from '@aws-sdk/client-kafka';
import { deleteReplicatorInput } from '../domain/replicator-config.ts';
import type { CreateOutcome, Replicators } from '../ports.ts';
import { rethrowAws } from './transient.ts';

/** {@link Replicators} over the Kafka (MSK) SDK client. */
export class MskReplicators implements Replicators {
  constructor(private readonly kafka: KafkaClient) {}

  async create(input: CreateReplicatorCommandInput): Promise<CreateOutcome> {
    try {
      const out = await this.kafka.send(new CreateReplicatorCommand(input));
      return {
        kind: 'created',
        arn: out.ReplicatorArn ?? '',
        state: out.ReplicatorState ?? 'CREATING',
      };
    } catch (err) {
      if (err instanceof ConflictException) return { kind: 'conflict' };
      return rethrowAws(err, 'CreateReplicator');
    }
  }

  async describe(arn: string): Promise<DescribeReplicatorResponse | null> {
    try {
      const out = await this.kafka.send(
        new DescribeReplicatorCommand({ ReplicatorArn: arn }),
      );
      // Drop the SDK's $metadata: callers store and compare the settings.
      const { $metadata: _, ...response } = out;
      return response;
    } catch (err) {
      if (err instanceof NotFoundException) return null;
      return rethrowAws(err, 'DescribeReplicator');
    }
  }

  async listByPrefix(prefix: string): Promise<ReplicatorSummary[]> {
    const all: ReplicatorSummary[] = [];
    try {
      await this.collect(prefix, all);
    } catch (err) {
      rethrowAws(err, 'ListReplicators');
    }
    return all;
  }

  private async collect(
    prefix: string,
    all: ReplicatorSummary[],
  ): Promise<void> {
    for await (const page of paginateListReplicators(
      { client: this.kafka, pageSize: 100 },
      // An empty filter lists every replicator in the Region (the quota check).
      prefix === '' ? {} : { ReplicatorNameFilter: prefix },
    )) {
      // The API filter is documented as "starting with"; enforce it here so a
      // looser server-side match can never reach a delete.
      for (const r of page.Replicators ?? []) {
        if (r.ReplicatorName?.startsWith(prefix)) all.push(r);
      }
    }
  }

  async delete(arn: string): Promise<void> {
    try {
      await this.kafka.send(
        new DeleteReplicatorCommand(deleteReplicatorInput(arn)),
      );
    } catch (err) {
      // Already gone is the outcome we want (a retried delete).
      if (err instanceof NotFoundException) return;
      rethrowAws(err, 'DeleteReplicator');
    }
  }
}
