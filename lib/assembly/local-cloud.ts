/**
 * The cloud assembly as deployed, on loopback: every route of the template's HTTP API goes to the
 * function the template integrates it with; each function runs from its own asset in a process of its
 * own, with the template's handler and environment; the schedule's target gets EventBridge's Scheduled
 * Event. References in the template resolve to local stand-ins: the table to dynalite (created with the
 * template's keys and indexes), the key to the KMS stand-in, the secrets to the Secrets Manager stand-in,
 * the queues to the SQS stand-in (with the template's visibility timeouts and redrive policies). Each
 * event-source mapping polls its queue as Lambda's does, with its function's role, when `drainQueues` runs.
 * Every AWS call a function makes is recorded (aws-recorder.ts), every metric it emits (lambda-host.ts), and
 * every request's access log line (access-log.ts), which the template's metric filters read (metric-filters.ts).
 *
 * What cannot come from the template is listed in HARNESS_OVERRIDES, and nothing else is changed.
 */
import { type LambdaHandler, type LocalApi, startApiGateway } from '../local/api-gateway.ts';
import { type LocalDynamoDB, startDynamoDB } from '../local/dynamodb.ts';
import { type FakeKms, startFakeKms } from '../stand-ins/kms.ts';
import { type FakeSecretsManager, startFakeSecretsManager } from '../stand-ins/secrets-manager.ts';
import { CREDENTIALS as KMS_CREDENTIALS } from '../stand-ins/sigv4.ts';
import { type SqsStandIn, startSqsStandIn } from '../stand-ins/sqs.ts';
import { type AccessLog, accessLogOf } from './access-log.ts';
import { type AwsCall, type AwsService, type Fault, type Recorder, startRecorder } from './aws-recorder.ts';
import { drainMapping, type EventSourceMapping, eventSourceMappings } from './event-source-mappings.ts';
import { type EmittedMetric, type FunctionSpec, LambdaHost } from './lambda-host.ts';
import { filterMetrics } from './metric-filters.ts';
import { ACCOUNT, createQueues, createTable, physicalNames, REGION, routeTable, scheduledEvent, secretValuesOf } from './resources.ts';
import { type CloudAssembly, failWith, type Physical, referencedId, resolve, resourcesOfType } from './template.ts';

/**
 * Every variable the harness sets or changes in a function's environment, and why. The rest is the
 * template's, resolved.
 */
export const HARNESS_OVERRIDES: Record<string, string> = {
  AWS_REGION: 'Lambda sets it; here the region the local ARNs are written in',
  AWS_DEFAULT_REGION: 'Lambda sets it, as AWS_REGION',
  AWS_LAMBDA_FUNCTION_NAME: "Lambda sets it: the function's physical name, which its metrics and context name",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "Lambda sets it: the template's MemorySize",
  AWS_LAMBDA_FUNCTION_VERSION: 'Lambda sets it: $LATEST',
  AWS_ACCESS_KEY_ID: "Lambda sets the role's session credentials; here fixed ones the stand-ins check signatures with",
  AWS_SECRET_ACCESS_KEY: 'as AWS_ACCESS_KEY_ID',
  AWS_ENDPOINT_URL_DYNAMODB: "this function's recorder in front of dynalite",
  AWS_ENDPOINT_URL_KMS: "this function's recorder in front of the KMS stand-in",
  AWS_ENDPOINT_URL_SECRETS_MANAGER: "this function's recorder in front of the Secrets Manager stand-in",
  AWS_ENDPOINT_URL_SQS: "this function's recorder in front of the SQS stand-in",
  TZ: 'Lambda sets it to UTC',
  'upstream URLs':
    "USERCENTER_URL, OAUTH_ISSUER (and the other OAUTH_* endpoints), ROKID_OAUTH_TOKEN_URL, ROKID_EVENT_GATEWAY_URL, ROKID_REPORT_FAILED_URL and, with DEVICE_CLOUD=http, DEVICE_CLOUD_URL point at the local stand-ins: the stack requires https, the stand-ins serve http on loopback, and nothing reaches the vendor's real services",
};

export interface LocalCloudOptions {
  assembly: CloudAssembly;
  /** Secret values by logical id; a secret the template generates gets a random value when not given. */
  secretValues?: Record<string, string>;
  /**
   * Changes to every function's environment (upstream URLs); `undefined` removes a variable. Given the
   * API's URL, for stand-ins that must know where the browser comes back to.
   */
  overrides?: (apiUrl: string) => Promise<Record<string, string | undefined>> | Record<string, string | undefined>;
  port?: number;
}

export interface LocalCloud {
  url: string;
  assembly: CloudAssembly;
  physical: Physical;
  /** By logical id. */
  functions: Record<string, LambdaHost>;
  /** Each route key of the template, and the logical id of the function it reaches. */
  routes: Record<string, string>;
  calls: AwsCall[];
  /** What the functions emitted (EMF), and what the template's metric filters publish from the access log. */
  metrics(): EmittedMetric[];
  /** The API's access log lines, in the stage's format, by the logical id of their log group. */
  accessLogs: Record<string, string[]>;
  tableName: string;
  dynamoEndpoint: string;
  /** Invokes the target of every scheduled rule with a Scheduled Event, as EventBridge does. */
  runSchedules(): Promise<unknown[]>;
  /**
   * Polls every event-source mapping's queue, as Lambda does, until a poll finds nothing visible: each batch to
   * its function, and what the function did not report as failed deleted. Answers the batches handed over.
   */
  drainQueues(): Promise<number>;
  /** The SQS stand-in, whose clock `advanceQueues` moves on (a retry's backoff passing). */
  sqs: SqsStandIn;
  advanceQueues(ms: number): void;
  /**
   * The next `count` calls of one function to one service fail with an AWS error of `type`: of one operation
   * only, where `operation` is given, and after `skip` of them have passed.
   */
  fail(functionLogicalId: string, service: AwsService, type: string, count?: number, only?: { operation?: string; skip?: number }): void;
  close(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const { assembly } = options;
  const stops: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let accessLog: AccessLog | undefined;
    const api: LocalApi = await startApiGateway({ port: options.port ?? 0, routes: {}, onAnswer: (answer) => accessLog?.write(answer) });
    stops.push(api.close);
    const physical = physicalNames(assembly, api.url);
    accessLog = accessLogOf(assembly, physical);

    const dynamo: LocalDynamoDB = await startDynamoDB();
    stops.push(dynamo.close);
    const tables = resourcesOfType(assembly, 'AWS::DynamoDB::Table');
    for (const [id, table] of tables) await createTable(dynamo.endpoint, physical(id), table.Properties ?? {});

    const keys = resourcesOfType(assembly, 'AWS::KMS::Key');
    if (keys.length > 1) throw new Error('the local cloud serves one KMS key');
    const kmsKey = keys[0] ? physical(keys[0][0], 'Arn') : `arn:aws:kms:${REGION}:${ACCOUNT}:key/none`;
    const kms: FakeKms = await startFakeKms({ keyId: kmsKey });
    stops.push(kms.close);

    const secrets: FakeSecretsManager = await startFakeSecretsManager(secretValuesOf(assembly, options.secretValues ?? {}), {
      arnOf: (id) => physical(id),
    });
    stops.push(secrets.close);

    let queueClockMs = 0;
    const sqs = await startSqsStandIn({ now: () => Date.now() + queueClockMs });
    stops.push(sqs.close);
    createQueues(sqs, assembly, physical);

    const overrides = (await options.overrides?.(api.url)) ?? {};
    const calls: AwsCall[] = [];
    const faults = new Map<string, Fault>();
    const functions: Record<string, LambdaHost> = {};
    const engines: Record<AwsService, string> = {
      dynamodb: dynamo.endpoint,
      kms: kms.endpoint,
      secretsmanager: secrets.endpoint,
      sqs: sqs.endpoint,
    };
    const arns = {
      table: (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
      kmsKey,
      queue: (url: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${url.split('/').pop()}`,
    };
    const sqsRecorders: Record<string, string> = {};
    for (const [id, resource] of resourcesOfType(assembly, 'AWS::Lambda::Function')) {
      const name = physical(id);
      const recorders = {} as Record<AwsService, Recorder>;
      for (const service of Object.keys(engines) as AwsService[]) {
        recorders[service] = await startRecorder({
          functionName: name,
          service,
          target: engines[service],
          arns,
          calls,
          fault: () => faults.get(`${id} ${service}`),
        });
        stops.push(recorders[service].close);
      }
      const props = resource.Properties ?? {};
      const templateEnvironment = resolve(props['Environment']?.Variables ?? {}, physical) as Record<string, string>;
      const memoryMB = Number(props['MemorySize'] ?? 128);
      const environment: Record<string, string | undefined> = {
        ...templateEnvironment,
        ...overrides,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_LAMBDA_FUNCTION_NAME: name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMB),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_ACCESS_KEY_ID: KMS_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: KMS_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: recorders.dynamodb.endpoint,
        AWS_ENDPOINT_URL_KMS: recorders.kms.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: recorders.secretsmanager.endpoint,
        AWS_ENDPOINT_URL_SQS: recorders.sqs.endpoint,
        TZ: 'UTC',
        HARNESS_FUNCTION_ARN: physical(id, 'Arn'),
      };
      const spec: FunctionSpec = {
        logicalId: id,
        name,
        assetDir: assembly.assetDir(props['Code']?.S3Key),
        handler: String(props['Handler']),
        timeoutS: Number(props['Timeout'] ?? 3),
        memoryMB,
        environment: Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined)),
      };
      sqsRecorders[id] = recorders.sqs.endpoint;
      const host = new LambdaHost(spec);
      functions[id] = host;
      stops.push(() => host.close());
    }

    const accessLogs = accessLog.lines;
    const mappings: EventSourceMapping[] = eventSourceMappings(assembly, physical);
    const routes = routeTable(assembly);
    for (const [routeKey, functionId] of Object.entries(routes)) {
      const host = functions[functionId] ?? failWith(`${routeKey} reaches ${functionId}, which is not a function of the template`);
      api.routes[routeKey] = (async (event) => host.invoke(event)) as LambdaHandler;
    }

    return {
      url: api.url,
      assembly,
      physical,
      functions,
      routes,
      calls,
      metrics: () => [...Object.values(functions).flatMap((host) => host.metrics), ...filterMetrics(assembly, physical, accessLogs)],
      accessLogs,
      tableName: tables[0] ? physical(tables[0][0]) : '',
      dynamoEndpoint: dynamo.endpoint,
      async runSchedules() {
        const results: unknown[] = [];
        for (const [ruleId, rule] of resourcesOfType(assembly, 'AWS::Events::Rule')) {
          if (!rule.Properties?.['ScheduleExpression']) continue;
          for (const target of rule.Properties['Targets'] ?? []) {
            const functionId = referencedId(target.Arn) ?? failWith(`${ruleId} targets something other than a function`);
            results.push(await functions[functionId]!.invoke(scheduledEvent(physical(ruleId, 'Arn'))));
          }
        }
        return results;
      },
      sqs,
      advanceQueues(ms) {
        queueClockMs += ms;
      },
      async drainQueues() {
        let batches = 0;
        for (const mapping of mappings) {
          const host =
            functions[mapping.functionId] ?? failWith(`${mapping.id} targets ${mapping.functionId}, not a function of the template`);
          batches += await drainMapping(mapping, sqsRecorders[mapping.functionId] ?? '', (event) => host.invoke(event));
        }
        return batches;
      },
      fail(functionLogicalId, service, type, count = 1, only = {}) {
        faults.set(`${functionLogicalId} ${service}`, { type, remaining: count, ...only });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
