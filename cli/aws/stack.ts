/**
 * The deployed stack's outputs (CloudFormation DescribeStacks): where the
 * CLI finds the state machine, the plan bucket and the ledger.
 */
import {
  type CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';

/** The stack `npx cdk deploy` creates unless told otherwise. */
export const DEFAULT_STACK_NAME = 'MskCutover';

/** Output keys the CLI reads (see infra/cutover-stack.ts, step 12). */
export type OutputKey =
  | 'StateMachineArn'
  | 'PlanBucketName'
  | 'LedgerTableName'
  | 'ApprovalApiUrl'
  | 'TaskTokenKeyArn';

/** A problem the user can fix (wrong stack, region, missing deployment). */
export class StackLookupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StackLookupError';
  }
}

/**
 * Reads the outputs of `stackName` and returns the `required` ones.
 *
 * @throws StackLookupError naming the stack, and every missing output
 */
export async function stackOutputs<K extends OutputKey>(
  cfn: CloudFormationClient,
  stackName: string,
  required: readonly K[],
): Promise<Record<K, string> & Partial<Record<OutputKey, string>>> {
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const out = await cfn.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    outputs = out.Stacks?.[0]?.Outputs ?? [];
  } catch (err) {
    // CloudFormation answers a missing stack with a generic ValidationError.
    if ((err as Error).name === 'ValidationError') {
      const region = await cfn.config
        .region()
        .catch(() => 'the current region');
      throw new StackLookupError(
        `stack ${stackName} was not found in ${region}: deploy it with \`npx cdk deploy\`, or name it with --stack and the region with --region`,
        { cause: err },
      );
    }
    throw err;
  }
  const found: Partial<Record<OutputKey, string>> = {};
  for (const o of outputs) {
    if (o.OutputKey && o.OutputValue) {
      found[o.OutputKey as OutputKey] = o.OutputValue;
    }
  }
  const missing = required.filter((k) => !found[k]);
  if (missing.length > 0) {
    throw new StackLookupError(
      `stack ${stackName} has no output ${missing.join(', ')}: is it an msk-cutover stack, deployed from this version?`,
    );
  }
  return found as Record<K, string> & Partial<Record<OutputKey, string>>;
}
