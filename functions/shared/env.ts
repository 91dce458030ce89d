/**
 * Environment contract of every function: parsed once at cold start with zod
 * (a missing variable fails loudly), and imported as *types* by infra so the
 * `PhaseFunction` construct cannot forget one.
 */
import * as z from './domain/zod.ts';

const common = {
  /** DynamoDB ledger table. */
  LEDGER_TABLE: z.string().check(z.minLength(1)),
  /** SNS topic for people (email). */
  TOPIC_ARN: z.string().check(z.minLength(1)),
  /** EventBridge bus for integrations (source `msk-cutover`). */
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
};

const approvals = {
  /** KMS key that encrypts task tokens in the ledger. */
  TOKEN_KEY_ID: z.string().check(z.minLength(1)),
  /** Secrets Manager secret holding the HMAC key of approval links. */
  SIGNING_SECRET_ARN: z.string().check(z.minLength(1)),
  /** `https://<api>/` — links are `${APPROVAL_BASE_URL}approvals/{id}?sig=…`. */
  APPROVAL_BASE_URL: z.string().check(z.url()),
};

export const envSchemas = {
  'validate-plan': z.object({ ...common }),
  preflight: z.object({
    ...common,
    /** Role the stack made for the replicators (used when the plan names none). */
    SERVICE_EXECUTION_ROLE_ARN: z.string().check(z.minLength(1)),
    /** Comma-separated secret ARN prefixes the role may read (deploy-time scope). */
    ALLOWED_SECRET_ARN_PREFIXES: z._default(z.string(), ''),
    /** Comma-separated MSK cluster ARNs the role may use (deploy-time scope). */
    ALLOWED_CLUSTER_ARNS: z._default(z.string(), ''),
    /**
     * Comma-separated roles create-replicators may also pass to MSK (its
     * iam:PassRole scope besides SERVICE_EXECUTION_ROLE_ARN).
     */
    PASSABLE_ROLE_ARNS: z._default(z.string(), ''),
    LOG_DELIVERY_BUCKETS: z._default(z.string(), ''),
    LOG_DELIVERY_STREAMS: z._default(z.string(), ''),
  }),
  'probe-source': z.object({
    ...common,
    METRICS_NAMESPACE: z._default(z.string(), 'msk-cutover'),
  }),
  'create-replicators': z.object({
    ...common,
    SERVICE_EXECUTION_ROLE_ARN: z.string().check(z.minLength(1)),
  }),
  'describe-replicators': z.object({ ...common }),
  'poll-readiness': z.object({ ...common }),
  'request-approval': z.object({ ...common, ...approvals }),
  'approval-api': z.object({ ...common, ...approvals }),
  'approval-reminders': z.object({ ...common, ...approvals }),
  'verify-cutover': z.object({ ...common }),
  teardown: z.object({ ...common }),
  'record-failure': z.object({ ...common }),
  cleanup: z.object({
    ...common,
    /** The parent state machine whose executions cleanup reacts to. */
    STATE_MACHINE_ARN: z.string().check(z.minLength(1)),
  }),
} as const;

export type FunctionName = keyof typeof envSchemas;
export type FunctionEnv<F extends FunctionName> = z.input<
  (typeof envSchemas)[F]
>;

/** Parse `process.env` for one function; throws a readable error. */
export function loadEnv<F extends FunctionName>(
  name: F,
  env: NodeJS.ProcessEnv = process.env,
): z.output<(typeof envSchemas)[F]> {
  const parsed = envSchemas[name].safeParse(env);
  if (!parsed.success) {
    const missing = parsed.error.issues
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new Error(`${name}: invalid environment: ${missing}`);
  }
  return parsed.data as z.output<(typeof envSchemas)[F]>;
}
