/** The synthesised template: what Homebase, the operators and a security review depend on. */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../functions/config.ts';
import { MAX_DELIVERIES } from '../../functions/domain/events/delivery.ts';
import { ROUTES } from '../../functions/http/routes.ts';
import { resolve } from '../../lib/assembly/template.ts';
import { FUNCTIONS, RUNTIME_ENVIRONMENT } from '../../lib/functions.ts';
import { HomebaseDriverStack } from '../../lib/stack/homebase-driver-stack.ts';
import { stackConfig } from '../../lib/stack/stack-config.ts';

const USERCENTER = { upstream: 'usercenter', usercenterUrl: 'https://uc.example.com' };
const OAUTH = { upstream: 'oauth', oauthIssuer: 'https://id.example.com', oauthClientId: 'homebase' };

/** Bundling is skipped here (the bundle tests build the real thing); everything else is as deployed. */
function synth(context: Record<string, unknown>, options: { bundle?: boolean } = {}, stackName = 'HomebaseDriver') {
  const app = new App({ context: { ...context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const stack = new HomebaseDriverStack(app, stackName, { config: stackConfig((key) => app.node.tryGetContext(key)) });
  return { app, stack, template: Template.fromStack(stack) };
}

const usercenter = synth(USERCENTER);
const t = usercenter.template;

describe('the HTTP API', () => {
  it('routes /list, /execute and /get, /command, the OAuth browser routes, the OAuth 2.0 server, /v2 and /device-events to their functions', () => {
    const integrations = t.findResources('AWS::ApiGatewayV2::Integration');
    const functionOf = (target: unknown) => {
      const id = JSON.stringify(target).match(/"(\w+Integration\w*)"/)?.[1] ?? '';
      return JSON.stringify(integrations[id]?.Properties.IntegrationUri).match(
        /"Functions(List|Execute|Command|Directive|DeviceEvents)Function/,
      )?.[1];
    };
    const routes = Object.fromEntries(
      Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => [r.Properties.RouteKey, functionOf(r.Properties.Target)]),
    );
    expect(routes).toEqual({
      'POST /list': 'List',
      'POST /execute': 'Execute',
      'POST /get': 'Execute',
      'POST /command': 'Command',
      'GET /oauth/start': 'Command',
      'GET /oauth/callback': 'Command',
      'GET /device_oauth/{appId}/login': 'Command',
      'GET /device_oauth/{appId}/callback': 'Command',
      'GET /device_oauth/{appId}/token': 'Command',
      'GET /.well-known/oauth-authorization-server': 'Command',
      'GET /oauth2/authorize': 'Command',
      'POST /oauth2/authorize': 'Command',
      'POST /oauth2/token': 'Command',
      'POST /oauth2/revoke': 'Command',
      'POST /v2': 'Directive',
      'POST /device-events': 'DeviceEvents',
    });
    t.resourceCountIs('AWS::ApiGatewayV2::Integration', 5);
  });

  it('throttles, and logs access to a log group with retention', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    for (const group of Object.values(t.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(90);
    }
  });

  it('throttles each route on its own: the device calls get the whole stage limit, the browser routes a share', () => {
    const [stage] = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'));
    const settings = stage!.Properties.RouteSettings;
    expect(Object.keys(settings).sort()).toEqual(Object.keys(ROUTES).sort());
    expect(settings['POST /list']).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(settings['POST /command']).toEqual({ ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 });
    expect(settings['GET /device_oauth/{appId}/token']).toEqual({ ThrottlingRateLimit: 2, ThrottlingBurstLimit: 4 });
    // The stage waits for the routes its settings name.
    expect(stage!.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/POSTlist/)]));
  });

  it("outputs the URL to paste into Rokid's console", () => {
    t.hasOutput('HomebaseDriverUrl', { Value: Match.anyValue(), Description: Match.stringLikeRegexp('Rokid') });
    // v2's 云端接口地址 is the same API's /v2.
    const v2 = t.findOutputs('HomebaseDriverV2Url')['HomebaseDriverV2Url']!;
    expect(v2['Description']).toContain('云端接口地址');
    expect(v2['Value']['Fn::Join'][1].at(-1)).toBe('/v2');
  });
});

describe('the functions', () => {
  it('are seven, on Node.js 24 and arm64, with memory and timeouts chosen per role', () => {
    const functions = Object.values(t.findResources('AWS::Lambda::Function')).map((f) => f.Properties);
    expect(functions).toHaveLength(7);
    for (const f of functions) {
      expect(f).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 512 });
    }
    expect(functions.map((f) => f.Timeout).sort((a, b) => a - b)).toEqual([5, 6, 6, 6, 15, 60, 120]);
  });

  it('run as the bundle tests and the benchmark run them: the runtime environment and driver settings, nothing else', () => {
    const settings = new Set(Object.keys(ConfigSchema.pipe[0].entries));
    for (const context of [USERCENTER, OAUTH]) {
      for (const f of Object.values(synth(context).template.findResources('AWS::Lambda::Function'))) {
        const { Variables: variables } = f.Properties.Environment as { Variables: Record<string, unknown> };
        expect(variables).toMatchObject(RUNTIME_ENVIRONMENT);
        const others = Object.keys(variables).filter((name) => !Object.hasOwn(RUNTIME_ENVIRONMENT, name) && !settings.has(name));
        expect(others).toEqual([]);
      }
    }
    // In particular no --enable-source-maps, which would add about a third to every cold start.
    expect(RUNTIME_ENVIRONMENT).not.toHaveProperty('NODE_OPTIONS');
  });

  it('never hold a secret in the environment, only where to find it', () => {
    for (const f of Object.values(synth(OAUTH).template.findResources('AWS::Lambda::Function'))) {
      const variables = f.Properties.Environment.Variables;
      expect(variables).toHaveProperty('OAUTH_CLIENT_SECRET_ARN');
      // OAuth callback URLs are built from the API's own address.
      expect(variables['PUBLIC_BASE_URL']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Api/), 'ApiEndpoint'] });
      expect(variables).not.toHaveProperty('OAUTH_CLIENT_SECRET');
    }
    for (const f of Object.values(t.findResources('AWS::Lambda::Function'))) {
      expect(f.Properties.Environment.Variables).toHaveProperty('USERCENTER_CREDENTIALS_ARN');
      expect(f.Properties.Environment.Variables).not.toHaveProperty('USERCENTER_SYS_ID');
    }
  });
});

describe('the driver settings the stack writes', () => {
  const variables = (context: Record<string, unknown>) =>
    Object.values(synth(context).template.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Environment.Variables);

  it("seals vendor credentials with data keys from the stack's key", () => {
    const [key] = Object.keys(t.findResources('AWS::KMS::Key'));
    for (const env of variables(USERCENTER)) expect(env['CREDENTIALS_KMS_KEY_ID']).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
  });

  it('leaves unset keys out, so the driver chooses (client authentication from discovery, the default device cloud)', () => {
    for (const env of variables(OAUTH)) {
      expect(env).not.toHaveProperty('OAUTH_CLIENT_AUTH');
      expect(env).not.toHaveProperty('DEVICE_CLOUD');
      expect(env).not.toHaveProperty('REFRESH_LEAD_S');
    }
  });

  it("passes a vendor's quirks on: GET token requests, a response prefix, a default lifetime, fixed authorize parameters", () => {
    const xiaomi = {
      ...OAUTH,
      oauthTokenMethod: 'GET',
      oauthResponsePrefix: '&&&START&&&',
      oauthDefaultExpiresInSeconds: 7200,
      oauthAuthorizeParams: 'skip_confirm=true',
      oauthUserIdClaim: 'openId,open_id',
    };
    for (const env of variables(xiaomi)) {
      expect(env).toMatchObject({
        OAUTH_TOKEN_METHOD: 'GET',
        OAUTH_RESPONSE_PREFIX: '&&&START&&&',
        OAUTH_DEFAULT_EXPIRES_IN_S: '7200',
        OAUTH_AUTHORIZE_PARAMS: 'skip_confirm=true',
        OAUTH_USER_ID_CLAIM: 'openId,open_id',
      });
    }
  });
});

describe('the stateful resources', () => {
  it('keep the logical ids of the first release, so an update never replaces the table, key, secrets, API or queue', () => {
    const ids = (template: Template) => Object.keys(template.toJSON().Resources);
    expect(ids(t)).toEqual(
      expect.arrayContaining([
        'DataKey17AFBB84',
        'TableCD117FA1',
        'UserCenterCredentials7C75A8AC',
        'ApiF70053CD',
        'DefaultStageEE28A986',
        'RefreshFailuresC6C0AA17',
        'Alarms04B5A0BF',
      ]),
    );
    expect(ids(synth(OAUTH).template)).toContain('OAuthClientSecret10CAC3E7');
  });
});

describe("the driver's OAuth 2.0 server", () => {
  const withServer = synth({
    ...USERCENTER,
    homebaseClientId: 'rokid-homebase',
    homebaseRedirectUris: 'https://homebase.rokid.com/oauth/callback',
  });

  it('is off without homebaseClientId: no client secret, no HOMEBASE_ settings', () => {
    t.resourceCountIs('AWS::SecretsManager::Secret', 2);
    expect(JSON.stringify(t.findResources('AWS::Lambda::Function'))).not.toContain('HOMEBASE_');
  });

  it("generates the client secret, lets only the command function read it, and outputs what Rokid's console needs", () => {
    const template = withServer.template;
    const secrets = template.findResources('AWS::SecretsManager::Secret', {
      Properties: { Description: Match.stringLikeRegexp('client secret of rokid-homebase') },
    });
    const [secretId] = Object.keys(secrets);
    expect(secrets[secretId ?? '']?.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 48 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HOMEBASE_CLIENT_ID: 'rokid-homebase',
          HOMEBASE_CLIENT_SECRET_ARN: { Ref: secretId },
          HOMEBASE_REDIRECT_URIS: 'https://homebase.rokid.com/oauth/callback',
        }),
      },
    });
    const readers = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p).includes(secretId ?? '-'),
    );
    expect(readers.map(([id]) => id)).toEqual([expect.stringMatching(/^FunctionsCommandRole/)]);
    for (const output of ['OAuth2AuthorizationEndpoint', 'OAuth2TokenEndpoint', 'HomebaseClientSecretName']) template.hasOutput(output, {});
  });
});

describe('the table', () => {
  it('has the single-table keys, the sparse due and vendor-user indexes, and the TTL attribute', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'refreshDueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'vendor-user',
          KeySchema: [{ AttributeName: 'vendorUserId', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('is encrypted with a customer-managed key, recoverable to a point in time, protected and retained', () => {
    const [key] = Object.keys(t.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } }));
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } },
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });
});

describe('least privilege', () => {
  const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  const actionsOf = (s: { Action: string | string[] }) => [s.Action].flat();

  it('grants no wildcard actions on the table, and nothing a function does not use', () => {
    const tableActions = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    expect(tableActions.length).toBeGreaterThan(0);
    expect(tableActions.filter((a) => a.includes('*'))).toEqual([]);
    for (const forbidden of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable']) {
      expect(tableActions).not.toContain(forbidden);
    }
    expect(statements.flatMap(actionsOf)).not.toContain('*');
  });

  it('lets only the refresh function delete items (retired links), the directive function (a v2 claim given back), the webhook (an event id given back), and the command function too with the OAuth 2.0 server (revoked links)', () => {
    const deleters = (template: Template) =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, p]) =>
          p.Properties.PolicyDocument.Statement.some((s: { Action: string | string[] }) => actionsOf(s).includes('dynamodb:DeleteItem')),
        )
        .map(([id]) => id)
        .sort();
    expect(deleters(t)).toEqual([
      expect.stringMatching(/^FunctionsDeviceEventsRole/),
      expect.stringMatching(/^FunctionsDirectiveRole/),
      expect.stringMatching(/^FunctionsRefreshRole/),
    ]);
    const withServer = synth({ ...USERCENTER, homebaseClientId: 'rokid-homebase' }).template;
    expect(deleters(withServer)).toEqual([
      expect.stringMatching(/^FunctionsCommandRole/),
      expect.stringMatching(/^FunctionsDeviceEventsRole/),
      expect.stringMatching(/^FunctionsDirectiveRole/),
      expect.stringMatching(/^FunctionsRefreshRole/),
    ]);
  });

  /** Each policy that names an index, and the index it names. */
  const indexReaders = (template: Template) =>
    Object.entries(template.findResources('AWS::IAM::Policy'))
      .flatMap(([id, p]) =>
        p.Properties.PolicyDocument.Statement.filter((s: { Resource: unknown }) => JSON.stringify(s.Resource).includes('/index/')).map(
          (s: { Action: string | string[]; Resource: unknown }) => [
            id.replace(/Role.*/, ''),
            JSON.stringify(s.Resource).match(/\/index\/([\w-]+)/)?.[1],
            actionsOf(s),
          ],
        ),
      )
      .sort((a, b) => String(a).localeCompare(String(b)));

  it("lets only the refresh function read the due index and the consumer the vendor-user index (a user's grants), with Query alone", () => {
    expect(indexReaders(t)).toEqual([
      ['FunctionsRefresh', 'due', ['dynamodb:Query']],
      ['FunctionsStateReports', 'vendor-user', ['dynamodb:Query']],
    ]);
  });

  it('with state reports on, revoking a link (the refresh job, the OAuth 2.0 server) reads the vendor-user index to end its grants, and a Control to keep what it told Rokid', () => {
    const events = synth({ ...USERCENTER, homebaseClientId: 'rokid-homebase', rokidEventsClientId: 'rokid-events' }).template;
    expect(indexReaders(events)).toEqual([
      ['FunctionsCommand', 'vendor-user', ['dynamodb:Query']],
      ['FunctionsDirective', 'vendor-user', ['dynamodb:Query']],
      ['FunctionsRefresh', 'due', ['dynamodb:Query']],
      ['FunctionsRefresh', 'vendor-user', ['dynamodb:Query']],
      ['FunctionsStateReports', 'vendor-user', ['dynamodb:Query']],
    ]);
  });

  it("lets only list and directive query the table itself, for the virtual cloud's devices; with an http cloud, none", () => {
    const tableQueriers = (template: Template) =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, p]) =>
          p.Properties.PolicyDocument.Statement.some(
            (s: { Action: string | string[]; Resource: unknown }) =>
              actionsOf(s).includes('dynamodb:Query') && !JSON.stringify(s.Resource).includes('/index/'),
          ),
        )
        .map(([id]) => id.replace(/Role.*/, ''))
        .sort();
    expect(tableQueriers(t)).toEqual(['FunctionsDirective', 'FunctionsList']);
    const http = synth({ ...USERCENTER, rokidJwtAppId: 'app-1', deviceCloud: 'http', deviceCloudUrl: 'https://devices.example.com' });
    expect(tableQueriers(http.template)).toEqual([]);
  });

  it('gives each function a role of its own: no managed policy, log writes to its own log group only, no KMS re-encryption', () => {
    for (const role of Object.values(t.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const logs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(logs).toHaveLength(7);
    for (const s of logs) {
      expect(actionsOf(s).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(s.Resource).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^Functions(List|Execute|Command|Directive|Refresh|DeviceEvents|StateReports)Logs/), 'Arn'],
      });
    }
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:ReEncrypt') || a === 'kms:GenerateDataKey*')).toEqual([]);
  });

  it("encrypts every log group with the data key, which CloudWatch Logs may use for this account's log groups only", () => {
    const [key] = Object.keys(t.findResources('AWS::KMS::Key'));
    const policy = Object.values(t.findResources('AWS::KMS::Key'))[0]!.Properties.KeyPolicy.Statement;
    const logs = policy.find((s: { Principal?: { Service?: unknown } }) => JSON.stringify(s.Principal?.Service ?? '').includes('logs.'));
    expect(logs.Action).not.toContain('kms:*');
    expect(JSON.stringify(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(':log-group:*');
    for (const group of Object.values(t.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    }
  });

  it('lets only the command function read the UserCenter credentials', () => {
    const readers = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([, p]) =>
      p.Properties.PolicyDocument.Statement.some((s: { Action: string | string[] }) =>
        actionsOf(s).includes('secretsmanager:GetSecretValue'),
      ),
    );
    expect(readers.map(([id]) => id)).toEqual([expect.stringMatching(/^FunctionsCommandRole/)]);
  });
});

describe('state reports', () => {
  const on = synth({ ...USERCENTER, rokidEventsClientId: 'rokid-events-1' }).template;
  const policies = (template: Template) => Object.entries(template.findResources('AWS::IAM::Policy'));
  const withAction = (template: Template, action: string) =>
    policies(template)
      .filter(([, p]) =>
        p.Properties.PolicyDocument.Statement.some((st: { Action: string | string[] }) => [st.Action].flat().includes(action)),
      )
      .map(([id]) => id.replace(/Role.*/, ''))
      .sort();

  it('queue events durably: KMS-encrypted, TLS only, a dead-letter queue after MAX_DELIVERIES, visibility six times the consumer', () => {
    const queues = Object.values(t.findResources('AWS::SQS::Queue')).map((q) => q.Properties);
    const events = queues.find((q) => q.RedrivePolicy);
    expect(events).toMatchObject({
      VisibilityTimeout: 360,
      KmsMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
      RedrivePolicy: { maxReceiveCount: MAX_DELIVERIES },
    });
    expect(MAX_DELIVERIES).toBe(12);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FunctionName: { Ref: Match.stringLikeRegexp('^FunctionsStateReportsFunction') },
    });
    // Created after the consumer's policy, which Lambda checks for the right to receive.
    const [mapping] = Object.values(t.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mapping!['DependsOn']).toContainEqual(expect.stringMatching(/^FunctionsStateReportsRoleDefaultPolicy/));
  });

  it('only the webhook sends to the queue; only the consumer takes from it and sets aside into the dead-letter queue', () => {
    expect(withAction(t, 'sqs:ReceiveMessage')).toEqual(['FunctionsStateReports']);
    expect(withAction(t, 'sqs:ChangeMessageVisibility')).toEqual(['FunctionsStateReports']);
    // The refresh function's failure destination sends to its own queue.
    expect(withAction(t, 'sqs:SendMessage')).toEqual(['FunctionsDeviceEvents', 'FunctionsRefresh', 'FunctionsStateReports']);
  });

  it('are off without rokidEventsClientId: no secrets, no ROKID_EVENTS_ settings, no webhook URL', () => {
    for (const f of Object.values(t.findResources('AWS::Lambda::Function'))) {
      expect(
        Object.keys(f.Properties.Environment.Variables).filter((k) => k.startsWith('ROKID_EVENTS') || k.startsWith('DEVICE_EVENTS')),
      ).toEqual([]);
    }
    expect(Object.keys(t.toJSON().Outputs)).not.toContain('DeviceEventsUrl');
  });

  it("with rokidEventsClientId: the client secret set by operators, the webhook's key generated, the settings and outputs", () => {
    const secrets = on.findResources('AWS::SecretsManager::Secret');
    const ids = Object.keys(secrets);
    expect(ids.filter((id) => id.includes('RokidEventsClientSecret'))).toHaveLength(1);
    const webhookKey = ids.find((id) => id.includes('DeviceEventsSecret'))!;
    expect(secrets[webhookKey]!.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 48 });
    for (const f of Object.values(on.findResources('AWS::Lambda::Function'))) {
      const variables = f.Properties.Environment.Variables;
      expect(variables).toMatchObject({ ROKID_EVENTS_CLIENT_ID: 'rokid-events-1' });
      expect(variables).toHaveProperty('ROKID_EVENTS_CLIENT_SECRET_ARN');
      expect(variables).toHaveProperty('DEVICE_EVENTS_SECRET_ARN');
      expect(variables).not.toHaveProperty('ROKID_EVENTS_CLIENT_SECRET');
      expect(variables).not.toHaveProperty('DEVICE_EVENTS_SECRET');
    }
    expect(Object.keys(on.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['DeviceEventsUrl', 'RokidEventsClientSecretName', 'DeviceEventsSecretName']),
    );
  });

  it('with an http device cloud, the consumer reads devices with the service token, which the stack creates', () => {
    const http = synth({
      ...USERCENTER,
      rokidEventsClientId: 'rokid-events-1',
      deviceCloud: 'http',
      deviceCloudUrl: 'https://devices.example.com',
    }).template;
    expect(
      Object.keys(http.findResources('AWS::SecretsManager::Secret')).filter((id) => id.includes('DeviceCloudServiceToken')),
    ).toHaveLength(1);
  });
});

describe('the scheduled refresh', () => {
  it('runs on the schedule from context, one at a time, with failures sent to a queue', () => {
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    synth({ ...USERCENTER, refreshScheduleMinutes: 15 }).template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 120, ReservedConcurrentExecutions: 1 });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('alarms', () => {
  it("watch refresh failures, relinks, refresh-token replays, the refresh queue, state reports, every function's errors and throttles, and API 5xx, all on one topic", () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const names = alarms.map((a) => a.MetricName).sort();
    expect(names).toEqual(
      [
        '5xx',
        'ApproximateNumberOfMessagesVisible',
        'ApproximateNumberOfMessagesVisible',
        'ApproximateAgeOfOldestMessage',
        ...Array(7).fill('Errors'),
        ...Array(7).fill('Throttles'),
        ...Array(6).fill('unexpected_errors'),
        'needs_relink',
        'refresh_token_replayed',
        'transient_failure',
        'events_dead_lettered',
        'events_retried',
        'grants_ended',
        'grant_refresh_failed',
        ...Array(3).fill('latency'),
      ].sort(),
    );
    for (const a of alarms.filter((a) => a.MetricName === 'unexpected_errors')) {
      expect(a.Namespace).toBe('HomebaseDriver');
      expect(a.Dimensions).toEqual([
        {
          Name: 'function',
          Value: { Ref: expect.stringMatching(/^Functions(List|Execute|Command|Directive|DeviceEvents|StateReports)Function/) },
        },
        { Name: 'service', Value: 'homebase-driver' },
      ]);
    }
    const [topic] = Object.keys(t.findResources('AWS::SNS::Topic'));
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    synth({ ...USERCENTER, alarmEmail: 'ops@example.com' }).template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('route latency, from the access log', () => {
  it('logs each request with its route, its API and latencyMs: the response latency, as a bare number', () => {
    const [stage] = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'));
    const format: string = stage!.Properties.AccessLogSettings.Format;
    expect(format).toContain('"latencyMs":$context.responseLatency,');
    expect(format).toContain('"route":"$context.routeKey"');
    expect(format).toContain('"apiId":"$context.apiId"');
    // With the variables filled in, a line is JSON, and latencyMs a number.
    const line = JSON.parse(format.replace(/\$context\.responseLatency/, '412').replace(/\$context\.[\w.]+/g, 'x'));
    expect(line).toMatchObject({ latencyMs: 412, route: 'x' });
  });

  it('a metric filter on the access log publishes latency by API and route, in milliseconds', () => {
    const [stage] = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'));
    const logGroup = stage!.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    const filters = Object.values(t.findResources('AWS::Logs::MetricFilter'));
    expect(filters.map((f) => f.Properties)).toEqual([
      {
        LogGroupName: { Ref: logGroup },
        FilterPattern: '{ $.latencyMs >= 0 }',
        MetricTransformations: [
          {
            MetricNamespace: 'HomebaseDriver/AccessLog',
            MetricName: 'latency',
            MetricValue: '$.latencyMs',
            Unit: 'Milliseconds',
            Dimensions: [
              { Key: 'api', Value: '$.apiId' },
              { Key: 'route', Value: '$.route' },
            ],
          },
        ],
      },
    ]);
  });

  it('alarms on /v2, /execute and /list: p99 over 2 s in 3 of 5 one-minute periods, missing data not breaching', () => {
    const [topic] = Object.keys(t.findResources('AWS::SNS::Topic'));
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .filter((a) => a.MetricName === 'latency');
    expect(alarms.map((a) => a.Dimensions[1].Value).sort()).toEqual(['POST /execute', 'POST /list', 'POST /v2']);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Namespace: 'HomebaseDriver/AccessLog',
        ExtendedStatistic: 'p99',
        Period: 60,
        Threshold: 2000,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topic }],
        AlarmDescription: expect.stringContaining('docs/operations.md'),
      });
      expect(alarm.Dimensions).toEqual([
        { Name: 'api', Value: { Ref: 'ApiF70053CD' } },
        { Name: 'route', Value: expect.any(String) },
      ]);
    }
  });
});

describe('the dashboard', () => {
  const [dashboard] = Object.values(t.findResources('AWS::CloudWatch::Dashboard')) as [any];
  /** The body with every reference written as the logical id it names. */
  const body = JSON.parse(resolve(dashboard.Properties.DashboardBody, (logicalId) => `<${logicalId}>`));
  const metricWidgets: any[] = body.widgets.filter((w: any) => w.type === 'metric');
  const titled = (title: string) => metricWidgets.find((w) => w.properties.title === title)?.properties;

  it('is named after the stack, and its address is an output', () => {
    expect(dashboard.Properties.DashboardName).toBe('HomebaseDriver');
    synth(USERCENTER, {}, 'HomebaseDriverStaging').template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'HomebaseDriverStaging',
    });
    const url = resolve(t.findOutputs('DashboardUrl')['DashboardUrl']!['Value'], (ref) => `<${ref}>`);
    expect(url).toBe('https://<AWS::Region>.console.aws.amazon.com/cloudwatch/home?region=<AWS::Region>#dashboards:name=HomebaseDriver');
  });

  it("draws each route's p50 and p99 latency, with Rokid's 3 s budget on /v2 and the alarm's 2 s where one watches", () => {
    const v2 = titled('POST /v2: p50 and p99 (ms)');
    expect(v2.metrics).toEqual([
      [
        'HomebaseDriver/AccessLog',
        'latency',
        'api',
        '<ApiF70053CD>',
        'route',
        'POST /v2',
        expect.objectContaining({ stat: 'p50', period: 60 }),
      ],
      [
        'HomebaseDriver/AccessLog',
        'latency',
        'api',
        '<ApiF70053CD>',
        'route',
        'POST /v2',
        expect.objectContaining({ stat: 'p99', period: 60 }),
      ],
    ]);
    expect(v2.annotations.horizontal.map((a: { value: number }) => a.value)).toEqual([3000, 2000]);
    expect(titled('POST /list: p50 and p99 (ms)').annotations.horizontal.map((a: { value: number }) => a.value)).toEqual([2000]);
    expect(titled('POST /command: p50 and p99 (ms)').annotations).toBeUndefined();
  });

  it("shows each function's invocations, errors, throttles and duration p50 and p99", () => {
    for (const name of Object.keys(FUNCTIONS)) {
      const widget = titled(name);
      expect(widget.metrics.map((m: unknown[]) => [m[0], m[1], (m.at(-1) as { stat: string }).stat])).toEqual([
        ['AWS/Lambda', 'Invocations', 'Sum'],
        ['AWS/Lambda', 'Errors', 'Sum'],
        ['AWS/Lambda', 'Throttles', 'Sum'],
        ['AWS/Lambda', 'Duration', 'p50'],
        ['AWS/Lambda', 'Duration', 'p99'],
      ]);
      expect(widget.metrics[0][3]).toMatch(new RegExp(`^<Functions${name[0]!.toUpperCase()}${name.slice(1)}Function`));
    }
  });

  it('shows unexpected errors, events, the queue, refresh outcomes, grants and sign-ins throttled', () => {
    const names = (title: string) => titled(title).metrics.map((m: unknown[]) => m[1]);
    expect(names('Unexpected errors (answered E_DRIVER_ERROR / E_INTERNAL_ERROR)')).toEqual(Array(6).fill('unexpected_errors'));
    expect(names('Events sent, retried and dead-lettered')).toEqual(['events_sent', 'events_retried', 'events_dead_lettered']);
    expect(names('Events queue: age of the oldest event (s)')).toEqual(['ApproximateAgeOfOldestMessage']);
    expect(names('Refresh outcomes')).toEqual(['refreshed', 'transient_failure', 'needs_relink']);
    expect(names('State-report grants opened and ended')).toEqual(['grants_accepted', 'grants_ended']);
    expect(names('Sign-ins throttled')).toEqual(['sign_ins_throttled']);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['UserCenter', USERCENTER],
    ['OAuth', OAUTH],
  ])('reports no unacknowledged finding with the %s upstream', (_name, context) => {
    const { app } = synth(context, { bundle: false });
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('context', () => {
  it.each([
    [{}, 'homebase-driver context: upstream=usercenter needs usercenterUrl'],
    [{ upstream: 'ldap' }, 'homebase-driver context: upstream: Invalid type: Expected ("usercenter" | "oauth") but received "ldap"'],
    [{ ...USERCENTER, usercenterUrl: 'http://uc.example.com' }, 'homebase-driver context: usercenterUrl: expected an https URL'],
    [
      { upstream: 'oauth', oauthIssuer: 'https://id.example.com' },
      'homebase-driver context: upstream=oauth needs oauthClientId and oauthIssuer (or oauthTokenEndpoint)',
    ],
    [
      { ...USERCENTER, refreshScheduleMinutes: 'often' },
      'homebase-driver context: refreshScheduleMinutes: Invalid type: Expected number but received NaN',
    ],
    [{ ...USERCENTER, deviceCloud: 'http' }, 'homebase-driver context: deviceCloud=http needs deviceCloudUrl'],
  ])('%o is refused: %s', (context, message) => {
    expect(() => stackConfig((key) => (context as Record<string, unknown>)[key])).toThrow(message);
  });
});
