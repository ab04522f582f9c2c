/**
 * Each function built with the stack's own esbuild settings (lib/bundling.ts), for what only a build
 * shows (its metafile, the built-ins it loads); deployed.test.ts runs the assets cdk synth writes. Each
 * bundle is imported in a fresh Node process and given API Gateway v2 events against the embedded
 * DynamoDB and the UserCenter server.
 */

import { readdir, readFile, rm } from 'node:fs/promises';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/table.ts';
import { emptyReport } from '../../functions/domain/refresh/refresh-job.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { esbuildOptions, ROOT } from '../../lib/bundling.ts';
import { FUNCTIONS, type FunctionName } from '../../lib/functions.ts';
import { DEMO_ACCOUNT, startUserCenter, type UserCenterServer } from '../../lib/local/usercenter-server.ts';
import { type FakeSecretsManager, startFakeSecretsManager } from '../../lib/stand-ins/secrets-manager.ts';
import { invokeFresh, lambdaEnv } from '../support/bundles.ts';
import { testTable } from '../support/dynamodb.ts';
import { apiEvent } from '../support/events.ts';

const OUT = `${ROOT}dist/bundles`;
let table: Awaited<ReturnType<typeof testTable>>;
let userCenter: UserCenterServer;
let secretsManager: FakeSecretsManager;
const inputs = {} as Record<FunctionName, string[]>;
/** The modules each function loads at import: those of its entry chunk and of the chunks it imports statically. */
const atImport = {} as Record<FunctionName, string[]>;
/** How many files (the entry chunk and the chunks it imports statically) each function loads at import. */
const filesAtImport = {} as Record<FunctionName, number>;
/** As deployed, the UserCenter credentials come from a secret; this UserCenter takes no others. */
const vendorClient = { sysId: 'homebase', clientId: 'homebase-driver' };

beforeAll(async () => {
  [table, userCenter, secretsManager] = await Promise.all([
    testTable('homebase-bundles'),
    startUserCenter({ accounts: [DEMO_ACCOUNT], ...vendorClient }),
    startFakeSecretsManager({ 'login-limit-key': 'k'.repeat(43), 'usercenter-credentials': JSON.stringify(vendorClient) }),
  ]);
  await rm(OUT, { recursive: true, force: true });
  await Promise.all(
    (Object.keys(FUNCTIONS) as FunctionName[]).map(async (name) => {
      const { metafile } = await build({ ...esbuildOptions(FUNCTIONS[name], `${OUT}/${name}`), metafile: true });
      inputs[name] = Object.keys((metafile as Metafile).inputs);
      atImport[name] = loadedAtImport(metafile as Metafile);
      filesAtImport[name] = outputsAtImport(metafile as Metafile).length;
    }),
  );
}, 60_000);
afterAll(async () => {
  await secretsManager.close();
  await userCenter.close();
  await table.close();
});

/** One environment for every process: the same table, and the same key sealing credentials. */
let env: ReturnType<typeof lambdaEnv> | undefined;

/** Node's built-ins each function's process loaded, from its import to its last answer. */
const loadedBy: Partial<Record<FunctionName, string[]>> = {};

/** One fresh process per call, as a cold Lambda container. */
async function invoke(name: FunctionName, events: unknown[]): Promise<any[]> {
  const answers = await invokeFresh(`${OUT}/${name}/index.mjs`, events, environment());
  loadedBy[name] = answers.at(-1)!.loaded;
  return answers.map((answer) => answer.result);
}

function environment(): ReturnType<typeof lambdaEnv> {
  env ??= lambdaEnv({
    tableName: table.tableName,
    dynamoEndpoint: table.endpoint,
    userCenterUrl: userCenter.url,
    secrets: {
      endpoint: secretsManager.endpoint,
      loginLimitKeyArn: secretsManager.arns['login-limit-key']!,
      userCenterCredentialsArn: secretsManager.arns['usercenter-credentials']!,
    },
  });
  return env;
}

const post = (route: string, body: unknown) => apiEvent(`POST /${route}`, JSON.stringify(body));
const envelope = (result: { body: string }) => JSON.parse(result.body);

it('login → list → execute → v2 on the virtual cloud, then one refresh run, each bundle in a fresh process', {
  timeout: 60_000,
}, async () => {
  const [login] = await invoke('command', [post('command', { command: 'login', params: { username: 'demo', password: 'homebase' } })]);
  const { status, data: userAuth } = envelope(login);
  expect(status).toBe(0);
  // The attempt-limit key and the UserCenter credentials, each read once.
  expect(secretsManager.calls).toBe(2);

  const [list] = await invoke('list', [post('list', { userAuth })]);
  const devices = envelope(list).data as { deviceId: string; actions: Record<string, string[]> }[];
  const light = devices.find((d) => d.actions['switch']);
  expect(light).toBeDefined();

  const [executed, got] = await invoke('execute', [
    post('execute', { device: { deviceId: light!.deviceId, userAuth }, action: { property: 'switch', name: 'off' } }),
    post('get', { device: { deviceId: light!.deviceId }, userAuth }),
  ]);
  expect(envelope(executed)).toMatchObject({ status: 0, data: { switch: 'off' } });
  expect(envelope(got)).toMatchObject({ status: 0, data: { deviceId: light!.deviceId, state: { switch: 'off' } } });

  // v2 at one URL, with the same token as a BearerToken: it sees the state v1 left, and v1 sees what it changes.
  const message = (namespace: string, name: string, rest: Record<string, unknown> = {}) =>
    post('v2', {
      header: {
        messageId: `m-${name}`,
        namespace,
        name,
        payloadVersion: 'v1',
        authorization: { type: 'BearerToken', token: userAuth.userToken },
      },
      payload: {},
      ...rest,
    });
  const endpoint = { endpointId: light!.deviceId };
  const [discovered, reported, controlled] = await invoke('directive', [
    message('Rokid.Discovery', 'Discover'),
    message('Rokid.Query', 'ReportState', { endpoint }),
    message('Rokid.Control', 'Switch.On', { endpoint }),
  ]);
  expect(envelope(discovered).payload.endpoints.map((e: { endpointId: string }) => e.endpointId)).toEqual(devices.map((d) => d.deviceId));
  expect(envelope(reported).endpoint.states).toContainEqual(expect.objectContaining({ interface: 'Switch', value: 'Off' }));
  expect(envelope(controlled).endpoint.states).toContainEqual(expect.objectContaining({ interface: 'Switch', value: 'On' }));
  const [after] = await invoke('execute', [post('get', { device: { deviceId: light!.deviceId }, userAuth })]);
  expect(envelope(after)).toMatchObject({ data: { state: { switch: 'on' } } });

  // Make the link due, then let the refresh bundle do its run.
  await table.db.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.link(linkIdOf('hbu', userAuth.userToken)!),
      UpdateExpression: 'SET refreshDueAt = :past, refreshAt = :past',
      ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
    }),
  );
  const [report] = await invoke('refresh', [{ source: 'aws.events', 'detail-type': 'Scheduled Event' }]);
  expect(report).toEqual({ ...emptyReport(), refreshed: 1 });

  // Not one of them loaded undici or Node's web streams, each milliseconds of a cold start (docs/performance.md).
  expect(Object.keys(loadedBy)).toHaveLength(5);
  for (const [name, loaded] of Object.entries(loadedBy)) {
    expect(loaded.length, name).toBeGreaterThan(0); // the list is read: the import loads built-ins of its own
    expect(
      loaded.filter((module) => /undici|webstreams/.test(module)),
      name,
    ).toEqual([]);
  }
});

it('the command function asks for its secrets at init, before its first event', async () => {
  const before = secretsManager.calls;
  // Given no event, the process only imports the bundle: what it asks for, Lambda would ask for during init.
  await invokeFresh(`${OUT}/command/index.mjs`, [], environment());
  expect(secretsManager.calls - before).toBe(2);
});

/** What each function must not carry: the modules of the flows it never runs. */
const DEVICE_FUNCTION_FOREIGN = [
  'functions/domain/linking/',
  'functions/composition/linking.ts',
  'functions/domain/commands.ts',
  'functions/http/browser-handler.ts',
  'functions/adapters/dynamodb/authorization-store.ts',
  'functions/domain/refresh/refresh-job.ts',
  'functions/domain/oauth2-server/',
  'functions/domain/revocation/',
  'functions/http/oauth2-handler.ts',
  'functions/http/sign-in-page.ts',
  'functions/domain/v2/',
];
const FOREIGN: Record<FunctionName, string[]> = {
  list: DEVICE_FUNCTION_FOREIGN,
  execute: DEVICE_FUNCTION_FOREIGN,
  directive: [
    ...DEVICE_FUNCTION_FOREIGN.filter((module) => module !== 'functions/domain/v2/'),
    'functions/http/homebase-handler.ts',
    'node_modules/@middy/http-json-body-parser/',
  ],
  command: [
    'functions/domain/v2/',
    'functions/adapters/device-cloud/',
    'functions/domain/devices/',
    'functions/domain/refresh/fresh-sessions.ts',
    'functions/domain/refresh/link-refresher.ts',
    'functions/domain/refresh/refresh-job.ts',
  ],
  refresh: [
    'functions/domain/v2/',
    'functions/domain/linking/',
    'functions/domain/oauth2-server/',
    'functions/http/oauth2-handler.ts',
    'functions/adapters/device-cloud/',
    'functions/domain/devices/',
    'functions/domain/refresh/fresh-sessions.ts',
    'functions/http/homebase-handler.ts',
    'functions/http/browser-handler.ts',
    'node_modules/@middy/http-json-body-parser/',
  ],
  // The webhook signs, checks and queues: nothing of delivery, devices, tokens or the Homebase protocol.
  deviceEvents: [
    ...DEVICE_FUNCTION_FOREIGN,
    'functions/domain/v2/',
    'functions/adapters/device-cloud/',
    'functions/domain/devices/',
    'functions/domain/events/delivery.ts',
    'functions/domain/events/grant-delivery.ts',
    'functions/domain/events/gateway-policy.ts',
    'functions/domain/events/report-plan.ts',
    'functions/domain/events/token-renewal.ts',
    'functions/domain/events/grant-refresher.ts',
    'functions/adapters/rokid/',
    'functions/domain/vault/',
    'functions/http/homebase-handler.ts',
    'node_modules/@middy/http-json-body-parser/',
    'node_modules/oauth4webapi/',
  ],
  // The consumer reads devices and talks to Rokid: nothing of linking, the webhook or the HTTP handlers.
  stateReports: [
    'functions/domain/linking/',
    'functions/domain/oauth2-server/',
    'functions/domain/events/intake.ts',
    'functions/domain/refresh/fresh-sessions.ts',
    'functions/domain/refresh/refresh-job.ts',
    'functions/http/',
    'node_modules/@middy/http-json-body-parser/',
  ],
};

/**
 * What each function may carry but must not load at import: its first answer does not use it (docs/performance.md).
 * Metrics loads only to publish. The consumer's first answer is a delivered event, with no token to renew. The KMS
 * transport (the driver's signed JSON calls) loads on the first KMS call,
 * which a first /list, /execute or v2 Discover on the virtual cloud never makes. A first sign-in loads the UserCenter
 * client, never the OAuth client, the OAuth linking flows, their browser routes or the OAuth 2.0 server.
 */
const KMS_TRANSPORT = ['functions/adapters/aws/json-call.ts'];
const NOT_AT_IMPORT: Record<FunctionName, string[]> = {
  list: KMS_TRANSPORT,
  execute: KMS_TRANSPORT,
  directive: [...KMS_TRANSPORT, 'functions/domain/events/accept-grant.ts', 'functions/adapters/rokid/'],
  command: [
    'functions/adapters/usercenter/',
    'node_modules/oauth4webapi/',
    'functions/adapters/oauth/',
    'functions/domain/oauth2-server/',
    'functions/http/oauth2-handler.ts',
    // The OAuth linking flows and their browser routes, some 12 KB (composition/oauth-linking.ts).
    'functions/composition/oauth-linking.ts',
    'functions/composition/authorization-server.ts',
    'functions/domain/linking/browser-answer.ts',
    'functions/domain/linking/callback-url.ts',
    'functions/domain/linking/device-oauth.ts',
    'functions/domain/linking/homebase-oauth.ts',
    'functions/domain/linking/oauth-callback.ts',
    'functions/domain/linking/pending-states.ts',
    'functions/domain/linking/upstream-linker.ts',
    'functions/domain/linking/upstream-sign-in.ts',
    'functions/adapters/dynamodb/authorization-store.ts',
    'functions/http/browser-handler.ts',
    'functions/http/cookies.ts',
    'functions/http/oauth-browser-routes.ts',
  ],
  refresh: KMS_TRANSPORT,
  deviceEvents: [],
  // The grant refresher and what only it needs, loaded on the first 401 or 403 (composition/grant-renewal.ts).
  stateReports: [
    'functions/composition/grant-renewal.ts',
    'functions/domain/events/grant-refresher.ts',
    'functions/adapters/rokid/event-token-client.ts',
    'functions/adapters/rokid/failure-reporter.ts',
    'functions/domain/refresh/refreshed-credentials.ts',
  ],
};

/** The entry's output and every output it imports with an import statement, transitively. */
function outputsAtImport(metafile: Metafile): string[] {
  const entry = Object.keys(metafile.outputs).find((output) => output.endsWith('/index.mjs'))!;
  const seen = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output) || !metafile.outputs[output]) return;
    seen.add(output);
    for (const imported of metafile.outputs[output].imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  return [...seen];
}

/** The inputs of the outputs loaded at import. */
function loadedAtImport(metafile: Metafile): string[] {
  return outputsAtImport(metafile).flatMap((output) => Object.keys(metafile.outputs[output]!.inputs));
}

/**
 * The most files each function may load at import. Each costs about half a millisecond of a cold start, and a module
 * loaded on demand that shares code with the handler splits the shared code into chunks of their own: the directive
 * function's sent-states hook, loaded on demand, took it from 9 files to 16 (docs/performance.md), and the command
 * function's OAuth flows, loaded on demand apart from its OAuth 2.0 server, from 13 to 15 (11 as one module). The SDK's
 * signer, shared since with the signed JSON calls' chunk, is one file more: measured in pairs, inside the noise.
 */
const MAX_FILES_AT_IMPORT: Record<FunctionName, number> = {
  list: 10,
  execute: 10,
  directive: 10,
  command: 11,
  refresh: 10,
  deviceEvents: 5,
  stateReports: 6,
};

it.each(Object.keys(FUNCTIONS) as FunctionName[])('the %s bundle loads no more files at import than its budget', (name) => {
  expect(filesAtImport[name]).toBeLessThanOrEqual(MAX_FILES_AT_IMPORT[name]);
});

/**
 * One SigV4 implementation per bundle: the SDK's, which its DynamoDB calls need and the signed JSON calls share
 * (functions/adapters/aws/json-call.ts). A second copy (aws4 again, or the SDK moving to a signer version other than
 * the driver's own dependency) would be parsed, and compiled on a first call, on cold starts for nothing.
 */
it.each(Object.keys(FUNCTIONS) as FunctionName[])("the %s bundle carries one SigV4 signer, the SDK's", (name) => {
  const signer = '@smithy/signature-v4/';
  const copies = new Set(inputs[name].filter((input) => input.includes(signer)).map((input) => input.slice(0, input.indexOf(signer))));
  expect([...copies]).toEqual(['node_modules/']);
  expect(inputs[name].filter((input) => input.includes('node_modules/aws4/'))).toEqual([]);
});

it.each(Object.keys(FUNCTIONS) as FunctionName[])('the %s bundle loads at import nothing its first answer does not use', (name) => {
  const foreign = [...NOT_AT_IMPORT[name], 'node_modules/@aws-lambda-powertools/metrics/'];
  expect(atImport[name].filter((input) => foreign.some((module) => input.startsWith(module)))).toEqual([]);
  // The check reads real paths: the entry is loaded at import, and each module named is in the bundle, in a chunk.
  expect(atImport[name]).toContain(FUNCTIONS[name]);
  for (const module of foreign)
    expect(
      inputs[name].some((input) => input.startsWith(module)),
      `${name} carries ${module}`,
    ).toBe(true);
});

/** Code that runs outside Lambda only; no bundle may carry it. */
const LOCAL_ONLY = ['lib/local/', 'lib/conformance/', 'lib/operator/'];

it.each(Object.keys(FUNCTIONS) as FunctionName[])('the %s bundle carries no module of a flow it never runs', (name) => {
  expect(inputs[name].filter((input) => LOCAL_ONLY.some((local) => input.startsWith(local)))).toEqual([]);
  const found = inputs[name].filter((input) => FOREIGN[name].some((foreign) => input.startsWith(foreign)));
  expect(found).toEqual([]);
  // The check reads real paths: each bundle does hold its own entry and the shared envelope code.
  expect(inputs[name]).toContain(FUNCTIONS[name]);
});

it.each(Object.keys(FUNCTIONS) as FunctionName[])(
  'the %s bundle loads node:http without its ESM facade (which loads undici)',
  async (name) => {
    const files = (await readdir(`${OUT}/${name}`, { recursive: true })).map(String).filter((file) => file.endsWith('.mjs'));
    expect(files.length).toBeGreaterThan(1); // split into chunks
    const code = (await Promise.all(files.map((file) => readFile(`${OUT}/${name}/${file}`, 'utf8')))).join('\n');
    expect(code).not.toMatch(/from\s*["'](node:)?http["']/);
    expect(code).not.toMatch(/import\(\s*["'](node:)?http["']\s*\)/);
  },
);
