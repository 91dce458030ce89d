/**
 * Environment contract of every function: parsed once at cold start with zod
 * (a missing variable fails loudly), and imported as *types* by infra so the
 * `PhaseFunction` construct cannot forget one.
 */
import * as z from './domain/zod.ts';
import type { Phase } from './phases.ts';

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

/** The environment of a phase that needs nothing beyond the common variables. */
const commonEnv = z.object({ ...common });

/** The phases whose environment adds to the common variables. */
const extendedEnv = {
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
  'measure-source-lag': z.object({
    ...common,
    METRICS_NAMESPACE: z._default(z.string(), 'msk-cutover'),
  }),
  'create-replicators': z.object({
    ...common,
    SERVICE_EXECUTION_ROLE_ARN: z.string().check(z.minLength(1)),
  }),
  'request-approval': z.object({ ...common, ...approvals }),
  'approval-api': z.object({ ...common, ...approvals }),
  'approval-reminders': z.object({ ...common, ...approvals }),
  cleanup: z.object({
    ...common,
    /** The parent state machine whose executions cleanup reacts to. */
    STATE_MACHINE_ARN: z.string().check(z.minLength(1)),
  }),
} as const satisfies Partial<Record<Phase, unknown>>;

type ExtendedEnv = typeof extendedEnv;
/** The phases with variables of their own (the stack sets those). */
export type ExtendedEnvPhase = keyof ExtendedEnv;
/** The schema of a phase's environment. */
export type EnvSchema<F extends Phase> = F extends ExtendedEnvPhase
  ? ExtendedEnv[F]
  : typeof commonEnv;

/** The zod schema of `name`'s environment. */
export function envSchema<F extends Phase>(name: F): EnvSchema<F> {
  const extended: Partial<Record<Phase, unknown>> = extendedEnv;
  return (extended[name] ?? commonEnv) as EnvSchema<F>;
}

export type FunctionName = Phase;
export type FunctionEnv<F extends Phase> = z.input<EnvSchema<F>>;

/** Parse `process.env` for one function; throws a readable error. */
export function loadEnv<F extends Phase>(
  name: F,
  env: NodeJS.ProcessEnv = process.env,
): z.output<EnvSchema<F>> {
  const schema = envSchema(name) as typeof commonEnv;
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const missing = parsed.error.issues
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new Error(`${name}: invalid environment: ${missing}`);
  }
  return parsed.data as z.output<EnvSchema<F>>;
}
