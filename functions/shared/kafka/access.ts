/**
 * How the Kafka-side phases (probe-source, measure-source-lag) reach each
 * cluster: the source with the replicators' own SCRAM secret (and CA chain), the target MSK cluster with IAM
 * (SASL/OAUTHBEARER on 9098). Secret values go straight into the client
 * options and are never logged or put in a message.
 */
import { ValidationError } from '../domain/errors.ts';
import type { Plan } from '../domain/plan.ts';
import type { AwsInventory, KafkaClusterAccess } from '../ports.ts';

/** Makes an MSK IAM token provider for a region. */
export type IamTokenProvider = (region: string) => () => Promise<string>;

export interface SourceAccess {
  access: KafkaClusterAccess;
  /** `User:<name>`, the principal the ACLs must name. */
  principal: string;
  username: string;
}

function stringField(
  json: Record<string, unknown>,
  field: string,
): string | undefined {
  const value = json[field];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Reads the SCRAM secret (`username`, `password`, optional `certificate`)
 * and the optional separate root-CA secret.
 *
 * @throws ValidationError naming the secret and the missing key (never a value).
 */
export async function sourceAccess(
  plan: Plan,
  inventory: Pick<AwsInventory, 'secretJson'>,
): Promise<SourceAccess> {
  const { secretArn, mechanism } = plan.source.saslScram;
  const secret = await inventory.secretJson(secretArn);
  if (!secret) {
    throw new ValidationError(
      `source.saslScram.secretArn: secret ${secretArn} does not exist or cannot be read`,
    );
  }
  const username = stringField(secret, 'username');
  const password = stringField(secret, 'password');
  const missing = [
    ...(username ? [] : ['username']),
    ...(password ? [] : ['password']),
  ];
  if (missing.length > 0 || !username || !password) {
    throw new ValidationError(
      `source.saslScram.secretArn: secret ${secretArn} lacks the key(s) ${missing.join(', ')} (expected JSON {"username", "password", "certificate"?})`,
    );
  }
  let ca = stringField(secret, 'certificate');
  const caArn = plan.source.tls.rootCaSecretArn;
  if (caArn) {
    const caSecret = await inventory.secretJson(caArn);
    const fromCaSecret = caSecret
      ? stringField(caSecret, 'certificate')
      : undefined;
    if (!fromCaSecret) {
      throw new ValidationError(
        `source.tls.rootCaSecretArn: secret ${caArn} is missing or has no "certificate" key (PEM root and intermediate CAs)`,
      );
    }
    ca = fromCaSecret;
  }
  return {
    username,
    principal: `User:${username}`,
    access: {
      bootstrapBrokers: plan.source.bootstrapBrokers,
      tls: ca ? { ca } : {},
      credentials: {
        mechanism: mechanism === 'SHA256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512',
        username,
        password,
      },
    },
  };
}

/** The target MSK cluster through its IAM listener (port 9098). */
export async function targetAccess(
  plan: Plan,
  inventory: Pick<AwsInventory, 'bootstrapBrokers'>,
  token: IamTokenProvider,
): Promise<KafkaClusterAccess> {
  const brokers = await inventory.bootstrapBrokers(plan.target.mskClusterArn);
  if (!brokers) {
    throw new ValidationError(
      `target.mskClusterArn: ${plan.target.mskClusterArn} has no IAM bootstrap brokers; enable IAM client authentication on the cluster`,
    );
  }
  return {
    bootstrapBrokers: brokers.split(',').filter((b) => b.length > 0),
    tls: {},
    credentials: { mechanism: 'OAUTHBEARER', token: token(plan.region) },
  };
}
