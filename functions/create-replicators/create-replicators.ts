/**
 * create-replicators: the forward then the reverse replicator of every
 * shard. CreateReplicator has no idempotency token, and Lambda and Step
 * Functions both retry, so a name that already exists (ConflictException) is
 * looked up by its exact name and adopted when its settings are the plan's;
 * different settings fail the migration rather than replicate the wrong
 * thing. Each ARN goes to the ledger as soon as it is known.
 */

import { createReplicatorRequestIssues } from '../shared/aws/replicator-model.ts';
import type {
  CreateReplicatorsEvent,
  CreateReplicatorsResult,
  ReplicatorRef,
} from '../shared/contracts.ts';
import {
  ReplicatorConflictError,
  TransientError,
  ValidationError,
} from '../shared/domain/errors.ts';
import {
  buildReplicatorRequests,
  type ReplicatorRequest,
  sameReplicatorSettings,
} from '../shared/domain/replicator-config.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  Clock,
  Ledger,
  Log,
  PlanStore,
  Replicators,
} from '../shared/ports.ts';

export interface CreateReplicatorsDeps {
  plans: PlanStore;
  ledger: Ledger;
  replicators: Replicators;
  /** The stack's replicator role, used when the plan names none. */
  serviceExecutionRoleArn: string;
  clock: Clock;
  log: Log;
}

/**
 * Creates or adopts every replicator of the plan, in order.
 *
 * @throws ValidationError when the source cluster id is unknown.
 * @throws ReplicatorConflictError when a replicator of the same name has
 *   other settings (the differences are in the message).
 * @throws TransientError when a conflicting name is not listed (yet).
 */
export async function runCreateReplicators(
  event: CreateReplicatorsEvent,
  deps: CreateReplicatorsDeps,
): Promise<CreateReplicatorsResult> {
  const { plan } = await loadPlan(deps.plans, event.planRef);
  const migration = await deps.ledger.getMigration(event.migrationId);
  const sourceClusterId =
    plan.source.clusterId ?? migration?.sourceClusterId ?? undefined;
  if (!sourceClusterId) {
    throw new ValidationError(
      'source.clusterId: unknown; set it in the plan or let probe-source discover it before creating replicators',
    );
  }
  const requests = buildReplicatorRequests(plan, {
    sourceClusterId,
    serviceExecutionRoleArn:
      plan.serviceExecutionRoleArn ?? deps.serviceExecutionRoleArn,
  });

  // Checked against the SDK's model and the documented limits before the
  // first call: a request AWS would refuse creates nothing.
  const problems = requests.flatMap((r) =>
    createReplicatorRequestIssues(r.input).map(
      (i) => `${r.name}: ${i.path || '(request)'}: ${i.message}`,
    ),
  );
  if (problems.length > 0) {
    throw new ValidationError(
      `CreateReplicator would refuse ${problems.length === 1 ? 'this request' : 'these requests'}; nothing was created: ${problems.slice(0, 10).join('; ')}`,
    );
  }

  const replicators: ReplicatorRef[] = [];
  let created = 0;
  let adopted = 0;
  // One at a time, forward before reverse: the reverse replicator only makes
  // sense once the forward one exists, and a failure stops before the next.
  for (const request of requests) {
    const outcome = await deps.replicators.create(request.input);
    let arn: string;
    if (outcome.kind === 'created') {
      arn = outcome.arn;
      created++;
      deps.log.info('replicator created', { name: request.name });
    } else {
      arn = await adopt(request, deps);
      adopted++;
      deps.log.info('replicator adopted', { name: request.name });
    }
    const ref: ReplicatorRef = {
      name: request.name,
      arn,
      shard: request.shard,
      direction: request.direction,
    };
    await deps.ledger.putReplicator(event.migrationId, ref);
    replicators.push(ref);
  }
  await deps.ledger.audit(event.migrationId, 'replicators created', {
    created,
    adopted,
    names: replicators.map((r) => r.name),
  });
  return { replicators, created, adopted };
}

/** ConflictException: find the exact name and adopt it if it matches. */
async function adopt(
  request: ReplicatorRequest,
  deps: CreateReplicatorsDeps,
): Promise<string> {
  const listed = await deps.replicators.listByPrefix(request.name);
  // ListReplicators filters by prefix: `...-fwd` must not match `...-fwd2`.
  const exact = listed.find((r) => r.ReplicatorName === request.name);
  if (!exact?.ReplicatorArn) {
    throw new TransientError(
      `replicator ${request.name} exists (ConflictException) but is not listed yet`,
    );
  }
  if (exact.ReplicatorState === 'DELETING') {
    throw new TransientError(
      `replicator ${request.name} is being deleted; it can be created again once it is gone`,
    );
  }
  const described = await deps.replicators.describe(exact.ReplicatorArn);
  if (!described) {
    throw new TransientError(
      `replicator ${request.name} disappeared while being adopted`,
    );
  }
  const { same, differences } = sameReplicatorSettings(
    described,
    request.input,
  );
  if (!same) {
    throw new ReplicatorConflictError(
      `replicator ${request.name} already exists with other settings: ${differences.join('; ')}. Delete it or choose another migrationId.`,
    );
  }
  return exact.ReplicatorArn;
}
