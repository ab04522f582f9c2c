/** The seven Lambda functions, bundled as lib/bundling.ts says, each with only the permissions it uses. */
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type CfnLogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import type { ConfigInput } from '../../functions/config.ts';
import { esbuildOptions, HANDLER, ROOT } from '../bundling.ts';
import { FUNCTION_SIZING, FUNCTIONS, type FunctionName } from '../functions.ts';
import { driverEnvironment, type EnvironmentSources } from './driver-environment.ts';
import { acknowledge } from './nag.ts';
import type { StackConfig } from './stack-config.ts';

/**
 * What each function may do to the table, and to the due index, in this deployment. Every grant is used
 * by a flow the deployed-assembly test drives (test/infra/deployed.test.ts fails on a grant nothing
 * uses): none may scan, and only the refresh job reads the due index.
 */
function tableActions(name: FunctionName, config: StackConfig): { table: string[]; dueIndex?: string[]; vendorUserIndex?: string[] } {
  const events = config.rokidEventsClientId !== undefined;
  // The virtual cloud's devices are the table's items (Query); an http cloud's are the vendor's.
  const readsDevices = config.deviceCloud === 'http' ? [] : ['dynamodb:Query'];
  // Revoking a link ends its state-report grants, found by their vendor user.
  const endsGrants = events ? { vendorUserIndex: ['dynamodb:Query'] } : {};
  switch (name) {
    // Query: the virtual cloud's devices. PutItem: a link written back after an inline refresh, the virtual
    // home seeded. UpdateItem: the link's refresh lease.
    case 'list':
      return { table: ['dynamodb:GetItem', ...readsDevices, 'dynamodb:PutItem', 'dynamodb:UpdateItem'] };
    // UpdateItem: a device's state, and the lease; PutItem: a link after an inline refresh, a home seeded by /execute.
    case 'execute':
      return { table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] };
    // v2: /list's and /execute's needs (Query: the virtual cloud's devices), plus each Control's kept answer:
    // PutItem claims and saves it, DeleteItem gives a claim back when the work failed unexpectedly. With state
    // reports on, a Control's Response is kept as last sent in each of the user's grants' delivery places (the index).
    case 'directive':
      return {
        table: ['dynamodb:GetItem', ...readsDevices, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        ...endsGrants,
      };
    // DeleteItem, only where the OAuth 2.0 server is on: a link revoked at /oauth2/revoke, or for a
    // replayed authorization code.
    case 'command': {
      const servesOAuth2 = config.homebaseClientId !== undefined;
      return {
        table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', ...(servesOAuth2 ? ['dynamodb:DeleteItem'] : [])],
        ...(servesOAuth2 ? endsGrants : {}),
      };
    }
    // DeleteItem: retiring a link whose driver tokens expired, once its upstream grant is revoked.
    case 'refresh':
      return {
        table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        dueIndex: ['dynamodb:Query'],
        ...endsGrants,
      };
    // An event id claimed (PutItem, GetItem when taken), marked queued (UpdateItem) or given back (DeleteItem).
    case 'deviceEvents':
      return { table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] };
    // The grants of a vendor user (the index, then GetItem), a grant's lease and refresh (UpdateItem, PutItem),
    // an endpoint's delivery place (UpdateItem, GetItem), and the virtual cloud's device (GetItem; PutItem to seed).
    case 'stateReports':
      return { table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], vendorUserIndex: ['dynamodb:Query'] };
  }
}

/** The functions are made of what their environment names, and nothing else. */
export type DriverFunctionsProps = EnvironmentSources;

export class DriverFunctions extends Construct {
  readonly byName: Record<FunctionName, LambdaFunction>;

  constructor(scope: Construct, id: string, props: DriverFunctionsProps) {
    super(scope, id);
    const environment = driverEnvironment(props);
    const make = (name: FunctionName) => {
      const sizing = FUNCTION_SIZING[name];
      const logGroup = new LogGroup(this, `${title(name)}Logs`, {
        retention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
        encryptionKey: props.key,
      });
      // A role of its own, allowed to write to its own log group and nothing else of CloudWatch Logs
      // (AWSLambdaBasicExecutionRole would let it write to every log group in the account).
      const role = new Role(this, `${title(name)}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      acknowledge(
        role,
        `IAM5[Resource::<${Stack.of(this).getLogicalId(logGroup.node.defaultChild as CfnLogGroup)}.Arn>:*]`,
        "The log streams of this function's own log group, whose names Lambda chooses; no other log group.",
      );
      const f = new LambdaFunction(this, `${title(name)}Function`, {
        role,
        code: bundled(name),
        handler: HANDLER,
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: sizing.memoryMB,
        timeout: Duration.seconds(sizing.timeoutS),
        ...(sizing.reservedConcurrency ? { reservedConcurrentExecutions: sizing.reservedConcurrency } : {}),
        environment,
        logGroup,
        loggingFormat: LoggingFormat.JSON,
      });
      const actions = tableActions(name, props.config);
      f.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: actions.table, resources: [props.table.table.tableArn] }));
      if (actions.dueIndex) {
        f.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: actions.dueIndex, resources: [props.table.dueIndexArn] }));
      }
      if (actions.vendorUserIndex) {
        f.addToRolePolicy(
          new PolicyStatement({ effect: Effect.ALLOW, actions: actions.vendorUserIndex, resources: [props.table.vendorUserIndexArn] }),
        );
      }
      // The data key, for the CMK-encrypted table, secrets and queue: no ReEncrypt, no wildcards.
      props.key.grant(f, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
      // GetSecretValue alone: the driver never describes a secret (CDK's grantRead would add DescribeSecret).
      // Only login signs in with sysId/clientId; only the command function counts sign-in attempts and
      // serves the OAuth 2.0 server; every function but state reports' two may refresh (or exchange) OAuth tokens.
      const readable = [
        ...(name === 'command' ? [props.secrets.userCenterCredentials, props.secrets.homebaseClientSecret] : []),
        ...(name === 'command' && countsAttempts(props.config) ? [props.secrets.attemptKey] : []),
        // v2's JWTs are checked, and JWT users' device-cloud calls made, by the directive function alone.
        ...(name === 'directive' ? [props.secrets.rokidJwtAppSecret, props.secrets.deviceCloudServiceToken] : []),
        // Rokid's event tokens are got by AcceptGrant and refreshed by the job and by delivery (after a 401).
        ...(['directive', 'refresh', 'stateReports'].includes(name) ? [props.secrets.rokidEventsClientSecret] : []),
        ...(name === 'stateReports' ? [props.secrets.deviceCloudServiceToken] : []),
        ...(name === 'deviceEvents' ? [props.secrets.deviceEventsSecret] : []),
        // The webhook and the consumer never use a link's upstream token, so never refresh one.
        ...(name === 'deviceEvents' || name === 'stateReports' ? [] : [props.secrets.oauthClientSecret]),
      ].filter((secret) => secret !== undefined);
      if (readable.length > 0) {
        f.addToRolePolicy(
          new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: readable.map((secret) => secret.secretArn) }),
        );
      }
      return f;
    };
    this.byName = {
      list: make('list'),
      execute: make('execute'),
      command: make('command'),
      directive: make('directive'),
      refresh: make('refresh'),
      deviceEvents: make('deviceEvents'),
      stateReports: make('stateReports'),
    };
    props.events.allowSend(this.byName.deviceEvents);
    props.events.connect(this.byName.stateReports);
  }

  /** Sets a variable on every function (the API's own URL, known only once the API exists). */
  addEnvironment(name: keyof ConfigInput, value: string): void {
    for (const f of Object.values(this.byName)) f.addEnvironment(name, value);
  }
}

/** Sign-ins are counted where a password is checked (UserCenter) and at seed 003's token query. */
const countsAttempts = (config: StackConfig) => config.upstream === 'usercenter' || String(config.deviceOAuth) === 'true';

/**
 * The function's code, built by lib/bundling.ts with the local esbuild at synth (no Docker). CDK skips
 * the build where a stack is not being bundled (`aws:cdk:bundling-stacks`), as the template tests do.
 */
function bundled(name: FunctionName): Code {
  return Code.fromAsset(ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never pulled, since the local build always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      // CDK reuses a bundling result for options whose JSON is equal, and the tryBundle closure is not in
      // that JSON: without the entry here, every function would deploy the first one's build.
      environment: { ENTRY: FUNCTIONS[name] },
      local: {
        tryBundle(outputDir) {
          buildSync({ ...esbuildOptions(FUNCTIONS[name], outputDir), logLevel: 'error' });
          return true;
        },
      },
    },
  });
}

export const title = (name: string) => name[0]!.toUpperCase() + name.slice(1);
