/**
 * The whole deployment: the HTTP API Homebase calls, one Lambda function per concern, the table,
 * the scheduled refresh, the secrets and the alarms.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DUE_INDEX, TABLE_KEYS, TTL_ATTRIBUTE } from '../functions/adapters/dynamodb/table.ts';
import { ROUTES } from '../functions/http/routes.ts';
import { BUNDLING, FUNCTIONS, type FunctionName, ROOT } from './bundling.ts';
import type { StackConfig } from './stack-config.ts';

export interface HomebaseDriverStackProps extends StackProps {
  config: StackConfig;
}

/** The metrics namespace the refresh job writes (EMF) and the alarms read. */
const METRICS_NAMESPACE = 'HomebaseDriver';
const SERVICE = 'homebase-driver';

/**
 * What each function may do to the table. The Homebase-facing functions read links and write them
 * back conditionally (an inline refresh; the virtual cloud's devices); none may delete, scan or batch.
 */
const TABLE_ACTIONS: Record<FunctionName, string[]> = {
  list: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  execute: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  command: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  refresh: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
};

export class HomebaseDriverStack extends Stack {
  readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: HomebaseDriverStackProps) {
    super(scope, id, props);
    const { config } = props;

    const key = new Key(this, 'DataKey', {
      description: 'homebase-driver: the link table, secrets, queue and topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Table (not TableV2): a customer-managed key on TableV2 needs a concrete region at synth time,
    // and the stack must synthesise offline and deploy to whatever region the engineer chooses.
    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
    });
    table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX.indexName,
      partitionKey: { name: DUE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: DUE_INDEX.sortKey, type: AttributeType.NUMBER },
      projectionType: ProjectionType.KEYS_ONLY,
    });

    // Secrets are created empty-ish here and set by the operators (README: "Secrets to create").
    const usercenterCredentials =
      config.upstream === 'usercenter'
        ? new Secret(this, 'UserCenterCredentials', {
            description: 'homebase-driver: UserCenter {"sysId": "...", "clientId": "..."}',
            encryptionKey: key,
            generateSecretString: { secretStringTemplate: JSON.stringify({ sysId: '', clientId: '' }), generateStringKey: 'unused' },
            removalPolicy: RemovalPolicy.RETAIN,
          })
        : undefined;
    const oauthClientSecret =
      config.upstream === 'oauth'
        ? new Secret(this, 'OAuthClientSecret', {
            description: 'homebase-driver: the OAuth client secret issued by the vendor authorization server',
            encryptionKey: key,
            removalPolicy: RemovalPolicy.RETAIN,
          })
        : undefined;

    const environment: Record<string, string> = {
      TABLE_NAME: table.tableName,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      DEVICE_CLOUD: config.deviceCloud,
      REFRESH_LEAD_S: String(config.refreshLeadSeconds),
      REFRESH_CONCURRENCY: String(config.refreshConcurrency),
      CALLBACK_ALLOWED_ORIGINS: config.callbackAllowedOrigins,
      ...(config.deviceCloudUrl ? { DEVICE_CLOUD_URL: config.deviceCloudUrl } : {}),
      ...(config.usercenterUrl && usercenterCredentials
        ? { USERCENTER_URL: config.usercenterUrl, USERCENTER_CREDENTIALS_ARN: usercenterCredentials.secretArn }
        : {}),
      ...(oauthClientSecret && config.oauthClientId
        ? {
            OAUTH_CLIENT_ID: config.oauthClientId,
            OAUTH_CLIENT_AUTH: config.oauthClientAuth,
            OAUTH_CLIENT_SECRET_ARN: oauthClientSecret.secretArn,
            ...(config.oauthIssuer ? { OAUTH_ISSUER: config.oauthIssuer } : {}),
            ...(config.oauthAuthorizationEndpoint ? { OAUTH_AUTHORIZATION_ENDPOINT: config.oauthAuthorizationEndpoint } : {}),
            ...(config.oauthTokenEndpoint ? { OAUTH_TOKEN_ENDPOINT: config.oauthTokenEndpoint } : {}),
            ...(config.oauthUserinfoEndpoint ? { OAUTH_USERINFO_ENDPOINT: config.oauthUserinfoEndpoint } : {}),
            ...(config.oauthScope ? { OAUTH_SCOPE: config.oauthScope } : {}),
            ...(config.oauthUserIdClaim ? { OAUTH_USER_ID_CLAIM: config.oauthUserIdClaim } : {}),
            OAUTH_CALLBACK_MODE: config.oauthCallbackMode,
            DEVICE_OAUTH: String(config.deviceOAuth) === 'true' ? 'on' : 'off',
          }
        : {}),
    };

    const fn = (name: FunctionName, sizing: { memorySize: number; timeout: Duration; reservedConcurrentExecutions?: number }) => {
      const logGroup = new LogGroup(this, `${title(name)}Logs`, {
        retention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const f = new NodejsFunction(this, `${title(name)}Function`, {
        entry: `${ROOT}${FUNCTIONS[name]}`,
        handler: 'handler',
        projectRoot: ROOT,
        depsLockFilePath: `${ROOT}package-lock.json`,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        ...sizing,
        environment,
        logGroup,
        loggingFormat: LoggingFormat.JSON,
        bundling: {
          format: OutputFormat.ESM,
          target: BUNDLING.target,
          minify: BUNDLING.minify,
          sourceMap: BUNDLING.sourceMap,
          externalModules: [...BUNDLING.externalModules],
          banner: BUNDLING.banner,
          mainFields: [...BUNDLING.mainFields],
          esbuildArgs: Object.fromEntries(Object.entries(BUNDLING.alias).map(([module, path]) => [`--alias:${module}`, path])),
          forceDockerBundling: false,
        },
      });
      f.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: TABLE_ACTIONS[name],
          resources: [table.tableArn, `${table.tableArn}/index/${DUE_INDEX.indexName}`],
        }),
      );
      key.grantEncryptDecrypt(f);
      acknowledge(f, 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "AWSLambdaBasicExecutionRole is the function's only managed policy; it grants exactly the log writes every function needs.");
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        acknowledge(f, `IAM5[Action::${action}]`,
          `${action} is what CDK's grantEncryptDecrypt gives on the one data key; the CMK-encrypted table, secrets and queue need it.`);
      }
      // Only login signs in with sysId/clientId; every function may refresh (or exchange) OAuth tokens.
      if (name === 'command') usercenterCredentials?.grantRead(f);
      oauthClientSecret?.grantRead(f);
      return f;
    };

    // Homebase-facing: a /list is a few DynamoDB calls and one device-cloud call. 512 MB buys the CPU
    // for a quick cold start; 6 s covers the worst warm case (an inline refresh at the upstream's 3 s
    // timeout, then the device cloud's 2.5 s) and no answer later than that is of use to a voice user.
    const homebaseSizing = { memorySize: 512, timeout: Duration.seconds(6) };
    const list = fn('list', homebaseSizing);
    const execute = fn('execute', homebaseSizing);
    const command = fn('command', homebaseSizing);
    // The refresh run works through due links for up to two minutes, well inside the 5-minute schedule,
    // and one run at a time: a run that overlapped the next would only contend for the same leases.
    const refresh = fn('refresh', { memorySize: 512, timeout: Duration.minutes(2), reservedConcurrentExecutions: 1 });

    // API
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const api = new HttpApi(this, 'Api', { apiName: 'homebase-driver', createDefaultStage: false });
    acknowledge(api, 'APIG4',
      "Homebase's HTTP remote driver protocol cannot send API Gateway credentials: every request is authenticated by the driver-issued userToken in its body, checked in constant time against its stored hash.");
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    // One integration per function; the route table is shared with the local gateway.
    const targets = { list, execute, command };
    const integrations = Object.fromEntries(
      Object.entries(targets).map(([name, target]) => [name, new HttpLambdaIntegration(`${title(name)}Integration`, target)]),
    );
    for (const [routeKey, name] of Object.entries(ROUTES)) {
      const [method, path] = routeKey.split(' ') as [keyof typeof HttpMethod, string];
      api.addRoutes({ path, methods: [HttpMethod[method]], integration: integrations[name]! });
    }
    // OAuth builds its callback URLs from the API's own address.
    for (const f of [list, execute, command, refresh]) f.addEnvironment('PUBLIC_BASE_URL', api.apiEndpoint);
    this.apiUrl = stage.url.replace(/\/$/, '');

    // Scheduled refresh: one run at a time, failures parked in a queue.
    const failed = new Queue(this, 'RefreshFailures', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(failed, 'SQS3', 'RefreshFailures is itself the dead-letter queue of the refresh schedule.');
    refresh.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(5), onFailure: new SqsDestination(failed) });
    new Rule(this, 'RefreshSchedule', {
      description: 'homebase-driver: refresh upstream tokens that are due',
      schedule: Schedule.rate(Duration.minutes(config.refreshScheduleMinutes)),
      targets: [new LambdaFunction(refresh, { deadLetterQueue: failed, retryAttempts: 0 })],
    });

    // Alarms
    const topic = new Topic(this, 'Alarms', { displayName: 'homebase-driver alarms', masterKey: key, enforceSSL: true });
    if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
    const notify = new SnsAction(topic);
    const alarm = (id: string, metric: Metric, threshold: number, description: string) => {
      const a = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(notify);
      return a;
    };
    const refreshMetric = (name: string, period: Duration) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: SERVICE }, statistic: 'Sum', period });
    alarm('RefreshFailuresAlarm', refreshMetric('transient_failure', Duration.minutes(15)), 20,
      'Upstream token refreshes are failing (timeouts, 5xx, 429 or a bad client secret). Links are kept and retried; check the upstream and the secret.');
    alarm('NeedsRelinkAlarm', refreshMetric('needs_relink', Duration.hours(1)), 10,
      'An unusual number of links were refused by the upstream and need a relink. Check for a revoked client or a provider-side incident.');
    alarm('RefreshDeadLetters', failed.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 1,
      'A scheduled refresh run failed outright; its event is in the RefreshFailures queue.');
    for (const [name, f] of [['List', list], ['Execute', execute], ['Command', command], ['Refresh', refresh]] as const) {
      alarm(`${name}ErrorsAlarm`, f.metricErrors({ period: Duration.minutes(5) }), 1, `The ${name.toLowerCase()} function threw or timed out.`);
      alarm(`${name}ThrottlesAlarm`, f.metricThrottles({ period: Duration.minutes(5) }), 1, `The ${name.toLowerCase()} function was throttled.`);
    }
    alarm('Api5xxAlarm', api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), 5,
      'API Gateway answered 5xx: the driver itself answers every request with HTTP 200, so this is an integration failure.');

    new CfnOutput(this, 'HomebaseDriverUrl', {
      value: this.apiUrl,
      description: "Paste into Rokid's developer console as the driver's service URL",
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn, description: 'Subscribe to receive the alarms' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    for (const secret of [usercenterCredentials, oauthClientSecret]) {
      if (secret) acknowledge(secret, 'SMG4',
        'The vendor issues this credential, so AWS cannot rotate it; the README gives the rotation procedure, and functions pick up a new value within 5 minutes.');
    }
    if (usercenterCredentials) new CfnOutput(this, 'UserCenterCredentialsSecret', { value: usercenterCredentials.secretName });
    if (oauthClientSecret) new CfnOutput(this, 'OAuthClientSecretName', { value: oauthClientSecret.secretName });

  }
}

const title = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/** A cdk-nag finding that is deliberate, acknowledged where it arises, with a reason a reviewer can check. */
const acknowledge = (scope: Construct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
