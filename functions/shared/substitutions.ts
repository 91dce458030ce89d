/**
 * The `${Name}` placeholders of the two ASL files: the contract between the
 * state machine definitions, the CDK stack (`definitionSubstitutions`) and the
 * local runner. The function placeholders derive from the phase table
 * (`./phases.ts`); the others are the state machines' own.
 */
import {
  type FunctionArnPlaceholder,
  functionArnPlaceholder,
  type PhaseOf,
  phasesOf,
} from './phases.ts';

/** Placeholders of `statemachines/migration.asl.json` (the parent). */
export const PARENT_SUBSTITUTIONS = [
  ...phasesOf('migration').map(functionArnPlaceholder),
  'AppCutoverStateMachineArn',
  'EventBusName',
] as readonly ParentSubstitution[];

/** Placeholders of `statemachines/app-cutover.asl.json` (one per app). */
export const CHILD_SUBSTITUTIONS = phasesOf('app-cutover').map(
  functionArnPlaceholder,
) as readonly ChildSubstitution[];

export type ParentSubstitution =
  | FunctionArnPlaceholder<PhaseOf<'migration'>>
  | 'AppCutoverStateMachineArn'
  | 'EventBusName';
export type ChildSubstitution = FunctionArnPlaceholder<PhaseOf<'app-cutover'>>;

/**
 * The standard retrier every Lambda Task carries (STYLE rule 8): the Lambda
 * service exceptions of AWS's recommended retrier ("Handle Lambda service
 * exceptions", step-functions/latest/dg/bp-lambda-serviceexception.html:
 * ClientExecutionTimeoutException, ServiceException, AWSLambdaException,
 * SdkClientException), Lambda's throttling and our TransientError.
 */
export const STANDARD_RETRIER = {
  ErrorEquals: [
    'Lambda.ClientExecutionTimeoutException',
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

/**
 * The retrier of every `states:startExecution.sync:2` Task. Errors of the
 * Step Functions integration are named `StepFunctions.<error code>`
 * (`StepFunctions.ExecutionLimitExceeded` in the docs' own example,
 * connect-stepfunctions.html); the client-side names follow the Lambda
 * integration's documented pattern (`Lambda.SdkClientException`,
 * `Lambda.AWSLambdaException`). A retried start cannot start a second
 * execution: names are deterministic, StartExecution joins a RUNNING
 * execution of the same name and input, and `ExecutionAlreadyExists` (the
 * first attempt's execution has closed since) is caught and the execution
 * adopted (DescribeExecution).
 */
export const START_EXECUTION_RETRIER = {
  ErrorEquals: [
    'StepFunctions.ExecutionLimitExceeded',
    'StepFunctions.ThrottlingException',
    'StepFunctions.SdkClientException',
    'StepFunctions.AWSStepFunctionsException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
} as const;

/**
 * The retrier of Tasks that only read or publish (DescribeExecution of an
 * adopted execution, the Migration Completed event): safe to repeat on any
 * error.
 */
export const ANY_ERROR_RETRIER = {
  ErrorEquals: ['States.ALL'],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
} as const;
