/**
 * The whole deployment: the HTTP API Homebase calls, one Lambda function per concern, the table,
 * the scheduled refresh, the secrets, the alarms and the dashboard. Each is a construct of its own in this folder.
 */
import { Aws, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { DriverAlarms } from './alarms.ts';
import { DriverDashboard } from './dashboard.ts';
import { DriverApi } from './driver-api.ts';
import { DriverFunctions } from './driver-functions.ts';
import { EventQueues } from './event-queues.ts';
import { keepLogicalId } from './nag.ts';
import { RefreshSchedule } from './refresh-schedule.ts';
import type { StackConfig } from './stack-config.ts';
import { TokenTable } from './token-table.ts';
import { UpstreamSecrets } from './upstream-secrets.ts';

export interface HomebaseDriverStackProps extends StackProps {
  config: StackConfig;
}

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
    keepLogicalId(key, 'DataKey17AFBB84');
    // CloudWatch Logs encrypts the log groups with the same key, for log groups of this account and region only.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
        },
      }),
    );
    const table = new TokenTable(this, 'Tokens', { key });
    // Created here and set by the operators (docs/operations.md: "Secrets to set").
    const secrets = new UpstreamSecrets(this, 'Secrets', { config, key });
    const events = new EventQueues(this, 'StateReports', { key });
    const functions = new DriverFunctions(this, 'Functions', { config, table, key, secrets, events });
    const { list, execute, command, directive, refresh, deviceEvents } = functions.byName;
    const api = new DriverApi(this, 'Http', {
      functions: { list, execute, command, directive, deviceEvents },
      throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      key,
    });
    // OAuth builds its callback URLs from the API's own address.
    functions.addEnvironment('PUBLIC_BASE_URL', api.api.apiEndpoint);
    this.apiUrl = api.url;
    const schedule = new RefreshSchedule(this, 'Refresh', { refresh, key, rateMinutes: config.refreshScheduleMinutes });
    const alarms = new DriverAlarms(this, 'Alarms', {
      key,
      email: config.alarmEmail,
      functions: functions.byName,
      api: api.api,
      refreshFailures: schedule.failures,
      events,
      latency: api.latency,
    });
    const dashboard = new DriverDashboard(this, 'Health', { functions: functions.byName, latency: api.latency, events });

    new CfnOutput(this, 'HomebaseDriverUrl', {
      value: this.apiUrl,
      description: "Paste into Rokid's developer console as the driver's service URL",
    });
    new CfnOutput(this, 'HomebaseDriverV2Url', {
      value: `${this.apiUrl}/v2`,
      description: "v2 (若琪智能家居协议): paste into Rokid's console as the 云端接口地址",
    });
    if (secrets.rokidJwtAppSecret) {
      new CfnOutput(this, 'RokidJwtAppSecretName', {
        value: secrets.rokidJwtAppSecret.secretName,
        description: "v2 JWT: read it with aws secretsmanager get-secret-value and paste it into Rokid's console as the AppSecret",
      });
    }
    if (secrets.rokidEventsClientSecret && secrets.deviceEventsSecret) {
      new CfnOutput(this, 'DeviceEventsUrl', {
        value: `${this.apiUrl}/device-events`,
        description: "State reports: where the vendor's device cloud reports changes made outside Rokid (docs/device-cloud.md)",
      });
      new CfnOutput(this, 'RokidEventsClientSecretName', {
        value: secrets.rokidEventsClientSecret.secretName,
        description: "State reports: set it to the clientSecret Rokid's console issued (上报设备状态)",
      });
      new CfnOutput(this, 'DeviceEventsSecretName', {
        value: secrets.deviceEventsSecret.secretName,
        description: "State reports: the device cloud's HMAC key for POST /device-events",
      });
    }
    new CfnOutput(this, 'EventDeadLetterQueueUrl', { value: events.deadLetters.queueUrl });
    if (secrets.deviceCloudServiceToken) {
      new CfnOutput(this, 'DeviceCloudServiceTokenName', { value: secrets.deviceCloudServiceToken.secretName });
    }
    new CfnOutput(this, 'DashboardUrl', { value: dashboard.url, description: "The driver's health at a glance (docs/operations.md)" });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn, description: 'Subscribe to receive the alarms' });
    new CfnOutput(this, 'TableName', { value: table.table.tableName });
    if (secrets.userCenterCredentials)
      new CfnOutput(this, 'UserCenterCredentialsSecret', { value: secrets.userCenterCredentials.secretName });
    if (secrets.oauthClientSecret) new CfnOutput(this, 'OAuthClientSecretName', { value: secrets.oauthClientSecret.secretName });
    if (secrets.homebaseClientSecret) {
      // What Rokid's console asks for on the standard OAuth 2.0 path (docs/linking.md).
      new CfnOutput(this, 'OAuth2AuthorizationEndpoint', { value: `${this.apiUrl}/oauth2/authorize` });
      new CfnOutput(this, 'OAuth2TokenEndpoint', { value: `${this.apiUrl}/oauth2/token` });
      new CfnOutput(this, 'HomebaseClientSecretName', {
        value: secrets.homebaseClientSecret.secretName,
        description: "Read it with aws secretsmanager get-secret-value and paste it into Rokid's console as the client secret",
      });
    }
  }
}
