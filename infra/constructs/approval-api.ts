import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface ApprovalApiProps {
  readonly logKey: IKey;
  /** @default 5 */
  readonly rateLimit?: number;
  /** @default 10 */
  readonly burstLimit?: number;
}

/**
 * The approval page behind `GET/POST /approvals/{approvalId}` and the
 * read-only overview behind `GET /overview/{migrationId}` (HTTP API).
 * Access logs record the route and path only: the `sig` query parameter of
 * an approval link is a bearer credential and must not reach any log.
 */
export class ApprovalApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;
  /** `https://<id>.execute-api.<region>.amazonaws.com/` (trailing slash). */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: ApprovalApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'msk-cutover approval links',
      createDefaultStage: false,
    });
    this.baseUrl = `${this.api.apiEndpoint}/`;

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Every route, not per route: links are public, so a flood is cheap.
      throttle: {
        rateLimit: props.rateLimit ?? 5,
        burstLimit: props.burstLimit ?? 10,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        // $context.path excludes the query string; never log
        // $context.requestOverride or the raw URL.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }

  /**
   * Routes the page to its function. Separate from the constructor because
   * the function's environment needs `baseUrl` first.
   */
  route(handler: IFunction): void {
    const integration = new HttpLambdaIntegration(
      'ApprovalIntegration',
      handler,
    );
    const routes = [
      ...this.api.addRoutes({
        path: '/approvals/{approvalId}',
        methods: [HttpMethod.GET, HttpMethod.POST],
        integration,
      }),
      // The read-only overview of a migration: GET only, never decides.
      ...this.api.addRoutes({
        path: '/overview/{migrationId}',
        methods: [HttpMethod.GET],
        integration,
      }),
    ];
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Approvers open an emailed link and have no AWS identity; the approval-api function authorizes every request with the HMAC-signed, expiring, single-use sig of the link.',
      });
    }
  }
}
