/**
 * The `${Name}` placeholders of the two ASL files: the contract between the
 * state machine definitions, the CDK stack (`definitionSubstitutions`) and the
 * local runner. Kept here, in infrastructure-independent code, so the ASL
 * contract test, the stack and its template test read the same list.
 */

/** Placeholders of `statemachines/migration.asl.json` (the parent). */
export const PARENT_SUBSTITUTIONS = [
  'ValidatePlanFunctionArn',
  'PreflightFunctionArn',
  'ProbeSourceFunctionArn',
  'CreateReplicatorsFunctionArn',
  'DescribeReplicatorsFunctionArn',
  'PollReadinessFunctionArn',
  'RequestApprovalFunctionArn',
  'TeardownFunctionArn',
  'RecordFailureFunctionArn',
  'AppCutoverStateMachineArn',
  'EventBusName',
] as const;

/** Placeholders of `statemachines/app-cutover.asl.json` (one per app). */
export const CHILD_SUBSTITUTIONS = [
  'ProbeSourceFunctionArn',
  'PollReadinessFunctionArn',
  'RequestApprovalFunctionArn',
  'VerifyCutoverFunctionArn',
  'RecordFailureFunctionArn',
] as const;

export type ParentSubstitution = (typeof PARENT_SUBSTITUTIONS)[number];
export type ChildSubstitution = (typeof CHILD_SUBSTITUTIONS)[number];

/** The standard retrier every Lambda Task carries (STYLE rule 8). */
export const STANDARD_RETRIER = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
    'TransientError',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
} as const;
