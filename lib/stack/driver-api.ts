/** The HTTP API Homebase calls: the shared route table, throttling and access logs. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type ApiFunction, ROUTES, type RouteKey } from '../../functions/http/routes.ts';
import { accessLogFormat, RouteLatency } from './access-log.ts';
import { title } from './driver-functions.ts';
import { acknowledge, keepLogicalId } from './nag.ts';

export interface DriverApiProps {
  /** The function behind each name the route table uses. */
  functions: Record<ApiFunction, IFunction>;
  throttle: { rateLimit: number; burstLimit: number };
  key: IKey;
}

export class DriverApi extends Construct {
  readonly api: HttpApi;
  /** The URL to paste into Rokid's console, without a trailing slash. */
  readonly url: string;
  /** Each route's latency, from the access log. */
  readonly latency: RouteLatency;

  constructor(scope: Construct, id: string, props: DriverApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: props.key,
    });
    this.api = new HttpApi(this, 'Api', { apiName: 'homebase-driver', createDefaultStage: false });
    keepLogicalId(this.api, 'ApiF70053CD');
    acknowledge(
      this.api,
      'APIG4',
      "Homebase's HTTP remote driver protocol cannot send API Gateway credentials: every request is authenticated by the driver-issued userToken in its body, checked in constant time against its stored hash.",
    );
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(accessLogFormat()),
      },
    });
    keepLogicalId(stage, 'DefaultStageEE28A986');
    this.latency = new RouteLatency(this, 'Routes', { logGroup: accessLogs, api: this.api });
    // One integration per function; the route table is shared with the local gateway.
    const integrations = Object.fromEntries(
      Object.entries(props.functions).map(([name, target]) => [name, new HttpLambdaIntegration(`${title(name)}Integration`, target)]),
    );
    for (const [routeKey, name] of Object.entries(ROUTES)) {
      const [method, path] = routeKey.split(' ') as [keyof typeof HttpMethod, string];
      for (const route of this.api.addRoutes({ path, methods: [HttpMethod[method]], integration: integrations[name]! })) {
        // Route settings name routes that must exist first.
        stage.node.addDependency(route);
      }
    }
    (stage.node.defaultChild as CfnStage).routeSettings = routeThrottles(props.throttle);
    this.url = stage.url.replace(/\/$/, '');
  }
}

/**
 * Each route's share of the stage's limits. Homebase's device calls get all of it; linking is rarer,
 * and the browser routes rarer still: a flood of sign-in attempts or seed 003 token queries must not
 * starve /list and /execute. (Attempt limits in the driver bound guessing; these bound load.)
 */
const ROUTE_SHARE: Record<RouteKey, number> = {
  'POST /list': 1,
  'POST /execute': 1,
  'POST /get': 1,
  'POST /command': 0.5,
  'GET /oauth/start': 0.2,
  'GET /oauth/callback': 0.2,
  'GET /device_oauth/{appId}/login': 0.1,
  'GET /device_oauth/{appId}/callback': 0.1,
  'GET /device_oauth/{appId}/token': 0.04,
  // The OAuth 2.0 server: Homebase's token calls are as frequent as its OAuthRefresh commands; sign-ins are a person's pace.
  'GET /.well-known/oauth-authorization-server': 0.1,
  'GET /oauth2/authorize': 0.2,
  'POST /oauth2/authorize': 0.1,
  'POST /oauth2/token': 0.5,
  'POST /oauth2/revoke': 0.1,
  // v2's one URL carries all of Discover, Control and ReportState: a share like /list's and /execute's.
  'POST /v2': 1,
  // The device cloud's reports: bodies of up to a thousand events, from one caller.
  'POST /device-events': 0.5,
};

/** In CloudFormation's own casing: RouteSettings is a map CDK passes through untouched. */
function routeThrottles(stage: {
  rateLimit: number;
  burstLimit: number;
}): Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> {
  return Object.fromEntries(
    Object.entries(ROUTE_SHARE).map(([routeKey, share]) => [
      routeKey,
      {
        ThrottlingRateLimit: Math.max(1, Math.floor(stage.rateLimit * share)),
        ThrottlingBurstLimit: Math.max(1, Math.floor(stage.burstLimit * share)),
      },
    ]),
  );
}
