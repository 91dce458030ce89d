import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, ISubnet, IVpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionEnv } from '../../functions/shared/env.ts';
import {
  bundlingFor,
  handlerEntry,
  type Phase,
  treeShakeCommand,
} from '../bundling.ts';

/** The network a function must sit in (the one that reaches the source). */
export interface PhaseFunctionNetwork {
  readonly vpc: IVpc;
  readonly subnets: readonly ISubnet[];
  readonly securityGroups: readonly ISecurityGroup[];
}

export interface PhaseFunctionProps<F extends Phase> {
  /** The phase; the entry is `functions/<phase>/handler.ts`. */
  readonly phase: F;
  /**
   * The function's environment, typed from `functions/shared/env.ts`, so a
   * variable the handler requires cannot be forgotten here.
   */
  readonly environment: FunctionEnv<F>;
  /** Customer managed key of the function's log group. */
  readonly logKey: IKey;
  readonly description: string;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** @default - not in a VPC */
  readonly network?: PhaseFunctionNetwork;
  /** Directory holding `functions/` and `package-lock.json`. */
  readonly projectRoot: string;
}

/**
 * One phase's Lambda function with the project's defaults: Node 24 on ARM,
 * an ESM bundle of every dependency (options from `infra/bundling.ts`),
 * source maps, JSON logs to its own KMS-encrypted log group with retention,
 * X-Ray tracing, and a role that starts with nothing but that log group.
 */
export class PhaseFunction<F extends Phase> extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly phase: F;

  constructor(scope: Construct, id: string, props: PhaseFunctionProps<F>) {
    super(scope, id);
    this.phase = props.phase;
    const bundling = bundlingFor(props.phase);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An explicit role instead of the default one: the default attaches the
    // AWSLambdaBasicExecutionRole managed policy (logs:* on every group).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `msk-cutover ${props.phase} function`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const network = props.network;
    if (network) {
      // What AWSLambdaVPCAccessExecutionRole grants, which a custom role
      // does not get automatically.
      this.role.addToPolicy(
        new PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(props.projectRoot, handlerEntry(props.phase)),
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      // The variable it sets only concerns SDK v2; v3 reuses connections.
      awsSdkConnectionReuse: false,
      environment: {
        ...(props.environment as Record<string, string>),
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'msk-cutover',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: bundling.target,
        minify: bundling.minify,
        sourceMap: bundling.sourceMap,
        sourcesContent: bundling.sourcesContent,
        keepNames: bundling.keepNames,
        mainFields: [...bundling.mainFields],
        externalModules: [...bundling.externalModules],
        ...(bundling.banner === undefined ? {} : { banner: bundling.banner }),
        ...(bundling.define === undefined
          ? {}
          : { define: { ...bundling.define } }),
        ...(bundling.alias === undefined
          ? {}
          : {
              esbuildArgs: {
                '--alias': Object.entries(bundling.alias).map(
                  ([from, to]) => `${from}=${to}`,
                ),
              },
            }),
        ...(bundling.secondTreeShake
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, output: string) => [
                  treeShakeCommand(output),
                ],
              },
            }
          : {}),
      },
      ...(network === undefined
        ? {}
        : {
            vpc: network.vpc,
            vpcSubnets: { subnets: [...network.subnets] },
            securityGroups: [...network.securityGroups],
          }),
    });

    // Every `*` resource of a phase role is an action without resource-level
    // permissions; the stack adds the others with their own reasons.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Actions without resource-level permissions (Service Authorization Reference): X-Ray trace upload, Lambda VPC network interfaces, kafka:ListReplicators and GetBootstrapBrokers, ec2:Describe*, servicequotas:Get*, cloudwatch:GetMetricData and PutMetricData (namespace-conditioned), the vended log-delivery actions CreateReplicator needs (logs:CreateLogDelivery, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups, ListLogDeliveries), and kms:Decrypt of user keys only through Secrets Manager (kms:ViaService).',
    });
  }
}
