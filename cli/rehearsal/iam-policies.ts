/**
 * The IAM policies of the stack the rehearsal stands in for, taken from the
 * template synthesized from the real `CutoverStack` (never from a list kept
 * by hand): the identity policies of every function's and state machine's
 * role, and the resource policies AWS evaluates with them (SNS topic
 * policies, KMS key policies, S3 bucket policies).
 *
 * Synthesizing costs two to three seconds, most of it loading aws-cdk-lib
 * (asset bundling and CloudFormation's own template validation are
 * skipped: neither changes a policy). The template is therefore memoized
 * per process and cached on disk, keyed by a hash of everything the stack
 * is built from (infra/, statemachines/, functions/shared/ and the
 * aws-cdk-lib version): a changed source synthesizes again. CloudFormation
 * intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split and
 * the pseudo parameters) are resolved per rehearsal to the concrete names
 * the rehearsal gives each resource (its table, topic, bus, keys, secret).
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** The stack name the rehearsal deploys: its state machines are `msk-cutover-<machine>`. */
export const REHEARSAL_STACK_NAME = 'msk-cutover';

type Json = unknown;
type Template = {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, Json> }
  >;
};

/** The synthesized template and which role is whose. */
export interface SynthesizedStack {
  template: Template;
  /** Principal (phase folder name, `migration`, `app-cutover`) → role logical id. */
  roles: Record<string, string>;
  /** Phase → function logical id. */
  functions: Record<string, string>;
  /** Construct id → logical id of the resources the rehearsal names itself. */
  named: Record<string, string>;
}

let synthesized: Promise<SynthesizedStack> | undefined;

/**
 * Synthesizes `CutoverStack` with the default deploy context, once per
 * process. @param projectRoot the directory holding `functions/` and
 * `statemachines/`.
 */
export function synthesizeStack(
  projectRoot: string,
): Promise<SynthesizedStack> {
  synthesized ??= cached(projectRoot);
  return synthesized;
}

/** The inputs of the synthesized template, hashed. */
export function stackSourceHash(projectRoot: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|json)$/.test(entry.name)) {
        hash.update(relative(projectRoot, path)).update('\0');
        hash.update(readFileSync(path)).update('\0');
      }
    }
  };
  for (const dir of ['infra', 'statemachines', 'functions/shared']) {
    walk(join(projectRoot, dir));
  }
  const cdk = createRequire(join(projectRoot, 'package.json'))(
    'aws-cdk-lib/package.json',
  ) as { version: string };
  hash.update(`aws-cdk-lib@${cdk.version}`);
  return hash.digest('hex').slice(0, 32);
}

async function cached(projectRoot: string): Promise<SynthesizedStack> {
  const dir = join(tmpdir(), 'msk-cutover-iam-cache');
  const file = join(dir, `${stackSourceHash(projectRoot)}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SynthesizedStack;
  } catch {
    // Not cached yet (or unreadable): synthesize.
  }
  const stack = await synthesize(projectRoot);
  mkdirSync(dir, { recursive: true });
  // Write then rename: a concurrent reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(stack));
  renameSync(partial, file);
  return stack;
}

/** Synthesizes the stack now, bypassing both caches (benchmarks). */
export async function synthesize(
  projectRoot: string,
): Promise<SynthesizedStack> {
  const [{ App }, { CutoverStack }, { readDeployContext }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../../infra/cutover-stack.ts'),
    import('../../infra/deploy-context.ts'),
  ]);
  const outdir = mkdtempSync(join(tmpdir(), 'msk-cutover-iam-'));
  try {
    const app = new App({
      outdir,
      // Template validation is CloudFormation's schema check (5 s of wasm);
      // it changes no policy. The stack tests run it with cdk-nag.
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new CutoverStack(app, 'MskCutover', {
      stackName: REHEARSAL_STACK_NAME,
      deploy: readDeployContext(() => undefined),
      projectRoot,
    });
    const template = app.synth().getStackByName(stack.stackName)
      .template as Template;
    const logicalId = (c: { node: { defaultChild?: unknown } }) =>
      stack.resolve(
        (c.node.defaultChild as { logicalId: string }).logicalId,
      ) as string;
    const roles: Record<string, string> = {};
    const functions: Record<string, string> = {};
    for (const [phase, f] of Object.entries(stack.functions)) {
      roles[phase] = logicalId(f.role);
      functions[phase] = logicalId(f.fn);
    }
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const name = String(r.Properties?.StateMachineName ?? '');
      const machine = name.replace(`${REHEARSAL_STACK_NAME}-`, '');
      const roleRef = r.Properties?.RoleArn as { 'Fn::GetAtt': [string] };
      roles[machine] = roleRef['Fn::GetAtt'][0];
      functions[`stateMachine:${machine}`] = id;
    }
    const named: Record<string, string> = {};
    for (const id of Object.keys(template.Resources)) {
      for (const prefix of [
        'Ledger',
        'Notifications',
        'Bus',
        'DataKey',
        'TaskTokenKey',
        'ApprovalSigningKey',
        'PlanBucket',
        'ReplicatorRole',
      ]) {
        if (
          id.startsWith(prefix) &&
          !named[prefix] &&
          /^AWS::(DynamoDB::Table|SNS::Topic|Events::EventBus|KMS::Key|SecretsManager::Secret|S3::Bucket|IAM::Role)$/.test(
            template.Resources[id]?.Type ?? '',
          )
        ) {
          named[prefix] = id;
        }
      }
    }
    return { template, roles, functions, named };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** What a resource is called in the rehearsal: its Ref and attributes. */
export interface Binding {
  ref: string;
  attributes: Record<string, string>;
}

export interface ResolveOptions {
  account: string;
  region: string;
  partition?: string;
  /** Logical id → the rehearsal's names for it (others get placeholders). */
  bindings: Record<string, Binding>;
}

/**
 * The default Ref and Arn of a resource the rehearsal does not name: the
 * shapes AWS gives them (documented per resource type in the CloudFormation
 * reference, "Return values"), with the logical id as the name.
 */
function defaultBinding(
  id: string,
  type: string,
  props: Record<string, Json>,
  o: Required<Omit<ResolveOptions, 'bindings'>>,
): Binding {
  const p = o.partition;
  const arn = (service: string, resource: string, region = o.region) =>
    `arn:${p}:${service}:${region}:${o.account}:${resource}`;
  const name = (key: string) =>
    typeof props[key] === 'string' ? (props[key] as string) : id;
  switch (type) {
    case 'AWS::IAM::Role':
      return {
        ref: name('RoleName'),
        attributes: {
          Arn: `arn:${p}:iam::${o.account}:role/${name('RoleName')}`,
        },
      };
    case 'AWS::Lambda::Function': {
      const fn = name('FunctionName');
      return { ref: fn, attributes: { Arn: arn('lambda', `function:${fn}`) } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const sm = arn('states', `stateMachine:${name('StateMachineName')}`);
      return {
        ref: sm,
        attributes: { Arn: sm, Name: name('StateMachineName') },
      };
    }
    case 'AWS::SNS::Topic': {
      const t = arn('sns', name('TopicName'));
      return {
        ref: t,
        attributes: { TopicArn: t, TopicName: name('TopicName') },
      };
    }
    case 'AWS::KMS::Key':
      return {
        ref: id,
        attributes: { Arn: arn('kms', `key/${id}`), KeyId: id },
      };
    case 'AWS::S3::Bucket': {
      const b = name('BucketName').toLowerCase();
      return { ref: b, attributes: { Arn: `arn:${p}:s3:::${b}` } };
    }
    case 'AWS::DynamoDB::Table': {
      const t = name('TableName');
      return { ref: t, attributes: { Arn: arn('dynamodb', `table/${t}`) } };
    }
    case 'AWS::Events::EventBus': {
      const b = name('Name');
      return {
        ref: b,
        attributes: { Arn: arn('events', `event-bus/${b}`), Name: b },
      };
    }
    case 'AWS::SecretsManager::Secret': {
      const s = arn('secretsmanager', `secret:${id}`);
      return { ref: s, attributes: { Id: s } };
    }
    case 'AWS::Logs::LogGroup': {
      const g = name('LogGroupName');
      return { ref: g, attributes: { Arn: arn('logs', `log-group:${g}:*`) } };
    }
    default:
      return {
        ref: id,
        attributes: { Arn: arn('cloudformation', `resource/${id}`) },
      };
  }
}

/** Resolves the intrinsics of a template (or any part of one). */
export class TemplateResolver {
  readonly #template: Template;
  readonly #o: Required<Omit<ResolveOptions, 'bindings'>>;
  readonly #bindings: Record<string, Binding>;

  constructor(template: Template, options: ResolveOptions) {
    this.#template = template;
    this.#o = {
      account: options.account,
      region: options.region,
      partition: options.partition ?? 'aws',
    };
    this.#bindings = options.bindings;
  }

  binding(id: string): Binding {
    const given = this.#bindings[id];
    const resource = this.#template.Resources[id];
    if (!resource) throw new Error(`template: no resource ${id}`);
    const fallback = defaultBinding(
      id,
      resource.Type,
      (this.resolve(resource.Properties ?? {}) ?? {}) as Record<string, Json>,
      this.#o,
    );
    if (!given) return fallback;
    return {
      ref: given.ref,
      attributes: { ...fallback.attributes, ...given.attributes },
    };
  }

  #pseudo(name: string): string | undefined {
    switch (name) {
      case 'AWS::AccountId':
        return this.#o.account;
      case 'AWS::Region':
        return this.#o.region;
      case 'AWS::Partition':
        return this.#o.partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return REHEARSAL_STACK_NAME;
      case 'AWS::StackId':
        return `arn:${this.#o.partition}:cloudformation:${this.#o.region}:${this.#o.account}:stack/${REHEARSAL_STACK_NAME}/rehearsal`;
      case 'AWS::NoValue':
        return undefined;
      default:
        return undefined;
    }
  }

  #ref(name: string): string {
    return this.#pseudo(name) ?? this.binding(name).ref;
  }

  #getAtt(id: string, attr: string): string {
    const value = this.binding(id).attributes[attr];
    if (value === undefined) {
      // An attribute the rehearsal never meets in a policy: a stable stand-in.
      return `${id}.${attr}`;
    }
    return value;
  }

  /** Resolves every intrinsic function in `value`. */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, Json>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const arg = obj[k];
      switch (k) {
        case 'Ref':
          return this.#ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg)
            ? (arg as string[])
            : String(arg).split(/\.(.*)/);
          return this.#getAtt(String(id), String(attr));
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, Json[]];
          return (this.resolve(parts) as Json[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [Json, Json];
          const items = this.resolve(list) as Json[];
          return items[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, source] = arg as [string, Json];
          return String(this.resolve(source)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg)
            ? (arg as [string, Record<string, Json>])
            : [String(arg), {}];
          const resolvedVars = this.resolve(vars) as Record<string, Json>;
          return text.replaceAll(/\$\{([^}!]+)\}/g, (_m, name: string) => {
            if (name in resolvedVars) return String(resolvedVars[name]);
            const pseudo = this.#pseudo(name);
            if (pseudo !== undefined) return pseudo;
            const [id, attr] = name.split(/\.(.*)/);
            return attr
              ? this.#getAtt(String(id), attr)
              : this.#ref(String(id));
          });
        }
        default:
          break;
      }
    }
    const out: Record<string, Json> = {};
    for (const [key, v] of Object.entries(obj)) {
      const r = this.resolve(v);
      if (r !== undefined) out[key] = r;
    }
    return out;
  }
}

/** A policy document as iam-simulate reads it. */
export type PolicyDocument = Record<string, Json>;

export interface PrincipalPolicies {
  /** The role's ARN. */
  roleArn: string;
  policies: { name: string; policy: PolicyDocument }[];
}

export interface ResolvedPolicies {
  /** Principal name → its role and identity policies. */
  principals: Record<string, PrincipalPolicies>;
  /**
   * Resource ARN → the resource policy AWS evaluates with calls on it (and,
   * for KMS, the key policy). Bucket policies are keyed by the bucket ARN and
   * apply to its objects.
   */
  resourcePolicies: Map<string, PolicyDocument>;
  /**
   * Resource ARN (topic, bucket, secret, table) → the ARN of the KMS key
   * encrypting it.
   */
  encryptionKeys: Map<string, string>;
  resolver: TemplateResolver;
}

/** The policies of the synthesized stack, resolved for one rehearsal. */
export function resolvePolicies(
  stack: SynthesizedStack,
  options: ResolveOptions,
): ResolvedPolicies {
  const resolver = new TemplateResolver(stack.template, options);
  const resources = stack.template.Resources;
  const principals: Record<string, PrincipalPolicies> = {};
  const byRole = new Map<string, string>();
  for (const [principal, roleId] of Object.entries(stack.roles)) {
    byRole.set(roleId, principal);
    const role = resources[roleId];
    const inline = (role?.Properties?.Policies ?? []) as {
      PolicyName: string;
      PolicyDocument: Json;
    }[];
    principals[principal] = {
      roleArn: resolver.binding(roleId).attributes.Arn as string,
      policies: inline.map((p) => ({
        name: p.PolicyName,
        policy: resolver.resolve(p.PolicyDocument) as PolicyDocument,
      })),
    };
  }
  const resourcePolicies = new Map<string, PolicyDocument>();
  const encryptionKeys = new Map<string, string>();
  const keyArn = (ref: Json): string => {
    const v = String(resolver.resolve(ref));
    return v.startsWith('arn:')
      ? v
      : `arn:${options.partition ?? 'aws'}:kms:${options.region}:${options.account}:key/${v}`;
  };
  for (const [id, r] of Object.entries(resources)) {
    const props = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Policy': {
        for (const roleRef of (props.Roles ?? []) as { Ref: string }[]) {
          const principal = byRole.get(roleRef.Ref);
          if (!principal) continue;
          principals[principal]?.policies.push({
            name: String(props.PolicyName ?? id),
            policy: resolver.resolve(props.PolicyDocument) as PolicyDocument,
          });
        }
        break;
      }
      case 'AWS::SNS::TopicPolicy':
        for (const topic of resolver.resolve(props.Topics) as string[]) {
          resourcePolicies.set(
            topic,
            resolver.resolve(props.PolicyDocument) as PolicyDocument,
          );
        }
        break;
      case 'AWS::S3::BucketPolicy': {
        const bucket = String(resolver.resolve(props.Bucket));
        resourcePolicies.set(
          `arn:${options.partition ?? 'aws'}:s3:::${bucket}`,
          resolver.resolve(props.PolicyDocument) as PolicyDocument,
        );
        break;
      }
      case 'AWS::KMS::Key':
        resourcePolicies.set(
          resolver.binding(id).attributes.Arn as string,
          resolver.resolve(props.KeyPolicy) as PolicyDocument,
        );
        break;
      case 'AWS::SNS::Topic':
        if (props.KmsMasterKeyId !== undefined) {
          encryptionKeys.set(
            resolver.binding(id).ref,
            keyArn(props.KmsMasterKeyId),
          );
        }
        break;
      case 'AWS::DynamoDB::Table': {
        const key = (props.SSESpecification as { KMSMasterKeyId?: Json })
          ?.KMSMasterKeyId;
        if (key !== undefined) {
          encryptionKeys.set(
            resolver.binding(id).attributes.Arn as string,
            keyArn(key),
          );
        }
        break;
      }
      case 'AWS::SecretsManager::Secret':
        if (props.KmsKeyId !== undefined) {
          encryptionKeys.set(resolver.binding(id).ref, keyArn(props.KmsKeyId));
        }
        break;
      case 'AWS::S3::Bucket': {
        const rules = (
          props.BucketEncryption as
            | {
                ServerSideEncryptionConfiguration?: {
                  ServerSideEncryptionByDefault?: { KMSMasterKeyID?: Json };
                }[];
              }
            | undefined
        )?.ServerSideEncryptionConfiguration;
        const key = rules?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
        if (key !== undefined) {
          encryptionKeys.set(
            resolver.binding(id).attributes.Arn as string,
            keyArn(key),
          );
        }
        break;
      }
      default:
        break;
    }
  }
  return { principals, resourcePolicies, encryptionKeys, resolver };
}
