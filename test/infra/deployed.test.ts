/**
 * The cloud assembly as `cdk deploy` would ship it, run on loopback (lib/assembly/): two assemblies are
 * synthesized with bundling on, each function runs from its own asset in a process of its own, and
 * Homebase's flows are driven through the template's own routes. Every AWS call each function makes is
 * checked against its role, every grant against the calls, every alarm and dashboard widget against the
 * metrics emitted (the access log's metric filter included), and the template's API against functions/http/routes.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { keys } from '../../functions/adapters/dynamodb/table.ts';
import { HOMEBASE_REDIRECT_URI } from '../../functions/config.ts';
import { retryDelayS } from '../../functions/domain/events/delivery.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { isLocalOnlyRoute, ROUTES } from '../../functions/http/routes.ts';
import { checkAlarms } from '../../lib/assembly/alarm-coverage.ts';
import { checkDashboards } from '../../lib/assembly/dashboard-coverage.ts';
import { grantUse, UNUSED_ON_LOOPBACK } from '../../lib/assembly/grant-uses.ts';
import type { EmittedMetric } from '../../lib/assembly/lambda-host.ts';
import { type LocalCloud, startLocalCloud } from '../../lib/assembly/local-cloud.ts';
import { checkPermissions, type Grant } from '../../lib/assembly/permissions.ts';
import { runPreflight } from '../../lib/assembly/preflight.ts';
import { synthesize } from '../../lib/assembly/synthesize.ts';
import { type CloudAssembly, driverFunctionOf, readAssembly, resourcesOfType } from '../../lib/assembly/template.ts';
import { startUpstreamStandIns, type UpstreamStandIns } from '../../lib/assembly/upstream-stand-ins.ts';
import { runConformance } from '../../lib/conformance/run.ts';
import { FUNCTIONS, METRICS_NAMESPACE } from '../../lib/functions.ts';
import { postDeviceEvents } from '../../lib/local/device-events-client.ts';
import { localClient } from '../../lib/local/dynamodb.ts';
import { DEMO_OAUTH_ACCOUNT } from '../../lib/local/oauth-server.ts';
import { DEMO_ACCOUNT } from '../../lib/local/usercenter-server.ts';
import { Browser, formAction } from '../support/browser.ts';
import { StrictOAuthClient } from '../support/strict-oauth-client.ts';
import { bearer, control, discover, jwt, reportState, type V2Authorization, v2Message } from '../support/v2.ts';

/** The two deployments the stack can be: each written down as the context `cdk deploy -c` would get. */
const CONTEXTS = {
  usercenter: {
    upstream: 'usercenter',
    usercenterUrl: 'https://usercenter.vendor.example',
    homebaseClientId: 'homebase-rokid',
    rokidJwtAppId: 'rokid-jwt-app',
    v2RequiredHeader: 'X-Skill-Key: skill-key-1',
    rokidEventsClientId: 'rokid-events-deployed',
  },
  oauth: {
    upstream: 'oauth',
    oauthIssuer: 'https://login.vendor.example',
    oauthClientId: 'homebase-driver',
    rokidJwtAppId: 'rokid-jwt-app',
    rokidEventsClientId: 'rokid-events-deployed',
    // Stood in for (lib/assembly/device-cloud-stand-in.ts): bearer tokens checked at the provider's userinfo.
    deviceCloud: 'http',
    deviceCloudUrl: 'https://devices.vendor.example',
  },
} as const;

interface Deployed {
  dir: string;
  assembly: CloudAssembly;
  cloud: LocalCloud;
  standIns: UpstreamStandIns;
  /** Which function each logical id is, by the factory its asset exports. */
  driverFunction: Record<string, string>;
  idOf: (name: keyof typeof FUNCTIONS) => string;
}

const homebaseClientSecret = 'deployed-homebase-secret';
const jwtAppSecret = 'deployed-rokid-jwt-app-secret';
const deviceEventsSecret = 'deployed-device-events-secret';
/** The secret of this id prefix, set to `value`. */
const secretNamed = (assembly: CloudAssembly, prefix: string, value: string) => {
  const [id] = resourcesOfType(assembly, 'AWS::SecretsManager::Secret').find(([candidate]) => candidate.startsWith(prefix)) ?? [];
  return id ? { [id]: value } : {};
};
let usercenterDeployed: Deployed;
let oauthDeployed: Deployed;
const oidc = () => oauthDeployed.standIns.oidc()!;

async function deploy(context: Record<string, string>, secretValues: (assembly: CloudAssembly) => Record<string, string> = () => ({})) {
  const dir = await mkdtemp(join(tmpdir(), 'deployed-'));
  await synthesize(context, dir);
  const assembly = await readAssembly(dir);
  const standIns = await startUpstreamStandIns(assembly, { secretValues: secretValues(assembly) });
  const cloud = await startLocalCloud({ assembly, ...standIns.cloudOptions });
  const driverFunction: Record<string, string> = {};
  for (const [id, fn] of resourcesOfType(assembly, 'AWS::Lambda::Function')) {
    driverFunction[id] = (await driverFunctionOf(assembly.assetDir(fn.Properties?.['Code'].S3Key))) ?? `no factory export in ${id}`;
  }
  const idOf = (name: string) => Object.entries(driverFunction).find(([, n]) => n === name)?.[0] ?? '';
  return { dir, assembly, cloud, standIns, driverFunction, idOf };
}

beforeAll(async () => {
  [usercenterDeployed, oauthDeployed] = await Promise.all([
    deploy(CONTEXTS.usercenter, (assembly) => {
      const [secretId] =
        resourcesOfType(assembly, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('SecretsHomebaseClientSecret')) ?? [];
      const [jwtSecretId] =
        resourcesOfType(assembly, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('SecretsRokidJwtAppSecret')) ?? [];
      return {
        [secretId ?? 'none']: homebaseClientSecret,
        [jwtSecretId ?? 'no-jwt']: jwtAppSecret,
        ...secretNamed(assembly, 'SecretsDeviceEventsSecret', deviceEventsSecret),
      };
    }),
    deploy(CONTEXTS.oauth, (assembly) => ({
      ...secretNamed(assembly, 'SecretsRokidJwtAppSecret', jwtAppSecret),
      ...secretNamed(assembly, 'SecretsDeviceEventsSecret', deviceEventsSecret),
    })),
  ]);
}, 120_000);

afterAll(async () => {
  for (const deployed of [usercenterDeployed, oauthDeployed]) {
    await deployed?.cloud.close();
    await deployed?.standIns.close();
    if (deployed) await rm(deployed.dir, { recursive: true, force: true });
  }
});

const post = async (cloud: LocalCloud, path: string, body: unknown) => {
  const response = await fetch(`${cloud.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as any;
};

/** A v2 message to `/v2`, with the console's custom header the UserCenter assembly requires (the OAuth one ignores it). */
const postV2 = async (cloud: LocalCloud, message: unknown, headers: Record<string, string> = { 'x-skill-key': 'skill-key-1' }) => {
  const response = await fetch(`${cloud.url}/v2`, { method: 'POST', headers, body: JSON.stringify(message) });
  expect(response.status).toBe(200);
  return (await response.json()) as any;
};

/** Moves a link's times into the past, as time would: each `attribute` is set to `ageS` seconds ago. */
async function setPast(cloud: LocalCloud, userToken: string, attributes: string[], ageS = 1): Promise<void> {
  const db = DynamoDBDocumentClient.from(localClient(cloud.dynamoEndpoint));
  await db.send(
    new UpdateCommand({
      TableName: cloud.tableName,
      Key: keys.link(linkIdOf('hbu', userToken)!),
      UpdateExpression: `SET ${attributes.map((attribute) => `${attribute} = :past`).join(', ')}`,
      ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - ageS },
    }),
  );
  db.destroy();
}

/** The link is due now. */
const makeDue = (cloud: LocalCloud, userToken: string) => setPast(cloud, userToken, ['refreshDueAt', 'refreshAt']);
/** Its upstream token has expired, so the next request refreshes it inline. */
const expireUpstream = (cloud: LocalCloud, userToken: string) => setPast(cloud, userToken, ['credentials.expiresAt']);
/** Every driver token of it has expired, and it is due: the next run retires it. */
const expireDriverTokens = (cloud: LocalCloud, userToken: string) =>
  setPast(cloud, userToken, ['userTokenExpiresAt', 'refreshTokenExpiresAt', 'refreshDueAt']);

/** /execute, /list, then a v2 Control, each when the upstream token has expired: each refreshes inline. */
async function refreshInline(cloud: LocalCloud, userAuth: { userToken: string }): Promise<void> {
  const { data: devices } = await post(cloud, '/list', { userAuth });
  const light = (devices as { deviceId: string; actions: Record<string, string[]> }[]).find((d) => d.actions['switch']);
  await expireUpstream(cloud, userAuth.userToken);
  const executed = await post(cloud, '/execute', {
    device: { deviceId: light!.deviceId, userAuth },
    action: { property: 'switch', name: 'off' },
  });
  expect(executed).toMatchObject({ status: 0, data: { switch: 'off' } });
  await expireUpstream(cloud, userAuth.userToken);
  expect((await post(cloud, '/list', { userAuth })).status).toBe(0);
  // v2 with the same token: refreshed inline too, within its own budget, and it sees the state v1 left.
  await expireUpstream(cloud, userAuth.userToken);
  const controlled = await postV2(cloud, control(bearer(userAuth.userToken), light!.deviceId, 'Switch.On'));
  expect(controlled).toMatchObject({ header: { name: 'Response' }, endpoint: { endpointId: light!.deviceId } });
  expect(controlled.endpoint.states).toContainEqual(expect.objectContaining({ interface: 'Switch', value: 'On' }));
  const discovered = await postV2(cloud, discover(bearer(userAuth.userToken)));
  expect(discovered.payload.endpoints).toContainEqual(expect.objectContaining({ endpointId: light!.deviceId }));
}

describe('what synthesizes', () => {
  it('one asset per function, each exporting its own handler factory', () => {
    for (const deployed of [usercenterDeployed, oauthDeployed]) {
      const functions = resourcesOfType(deployed.assembly, 'AWS::Lambda::Function');
      const assets = functions.map(([, fn]) => fn.Properties?.['Code'].S3Key);
      expect(new Set(assets).size).toBe(functions.length);
      expect(Object.values(deployed.driverFunction).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    }
  });

  it('the API is routes.ts: every template route reaches the function it names, and every deployable route is there', () => {
    for (const { cloud, driverFunction } of [usercenterDeployed, oauthDeployed]) {
      const deployed = Object.fromEntries(Object.entries(cloud.routes).map(([routeKey, id]) => [routeKey, driverFunction[id]]));
      expect(deployed).toEqual(ROUTES);
      expect(Object.keys(ROUTES).filter(isLocalOnlyRoute)).toEqual([]);
    }
  });
});

describe('the UserCenter assembly, with the OAuth 2.0 server', () => {
  const cloud = () => usercenterDeployed.cloud;

  it('passes every conformance check, the OAuth 2.0 metadata included', { timeout: 60_000 }, async () => {
    const report = await runConformance({
      baseUrl: cloud().url,
      callbackUrl: 'https://homebase.rokid.com/oauth/callback',
      execute: true,
      execDelayMs: 0,
      username: DEMO_ACCOUNT.username,
      password: DEMO_ACCOUNT.password,
    });
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(report.results.find((r) => r.id === 'oauth2.metadata')).toMatchObject({ ok: true, skipped: false });
  });

  it('password login, then /list and /execute', async () => {
    const login = await post(cloud(), '/command', { command: 'login', params: { username: 'demo', password: 'homebase' } });
    expect(login.status).toBe(0);
    const devices = (await post(cloud(), '/list', { userAuth: login.data })).data as {
      deviceId: string;
      actions: Record<string, string[]>;
    }[];
    const light = devices.find((d) => d.actions['brightness']);
    const executed = await post(cloud(), '/execute', {
      device: { deviceId: light!.deviceId, userAuth: login.data },
      action: { property: 'brightness', name: 'num', value: 30 },
    });
    expect(executed).toMatchObject({ status: 0, data: { brightness: 30 } });
  });

  const oauth2Client = () =>
    new StrictOAuthClient(cloud().url, {
      clientId: CONTEXTS.usercenter.homebaseClientId,
      clientSecret: homebaseClientSecret,
      redirectUri: HOMEBASE_REDIRECT_URI,
    });

  /** The person's part at the driver's sign-in page, then the code exchanged as Homebase would. */
  async function authorizeAtDriver(state: string) {
    const atClient = (url: URL) => url.href.startsWith(HOMEBASE_REDIRECT_URI);
    const browser = new Browser();
    const page = await browser.visit(oauth2Client().authorizeUrl({ state }), atClient);
    expect(page.status).toBe(200);
    const hidden = Object.fromEntries(
      [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
    );
    const back = await browser.submit(formAction(page), { ...hidden, username: 'demo', password: 'homebase' }, atClient);
    expect(back.url.searchParams.get('state')).toBe(state);
    return oauth2Client().exchange(back.url.searchParams.get('code') ?? '');
  }

  it('the RFC 6749 flow: sign in at the driver, exchange, /list with the access token, refresh, revoke', async () => {
    const tokens = await authorizeAtDriver('deployed-1');
    expect((await post(cloud(), '/list', { userAuth: { userToken: tokens.access_token } })).status).toBe(0);
    const refreshed = await oauth2Client().refresh(tokens.refresh_token);
    const revoked = await oauth2Client().post('/oauth2/revoke', { token: refreshed.refresh_token });
    expect(revoked.status).toBe(200);
    await expect(post(cloud(), '/list', { userAuth: { userToken: refreshed.access_token } })).resolves.toMatchObject({ status: 1 });
  });

  it('a refresh token replayed after the grace window gets invalid_grant and ends its link', async () => {
    const tokens = await authorizeAtDriver('deployed-2');
    const refreshed = await oauth2Client().refresh(tokens.refresh_token);
    await setPast(cloud(), refreshed.access_token, ['refreshRotatedAt'], 3600);
    const replay = await oauth2Client().post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(replay.status).toBe(400);
    expect(JSON.parse(replay.body)).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('now revoked') });
    await expect(post(cloud(), '/list', { userAuth: { userToken: refreshed.access_token } })).resolves.toMatchObject({
      status: 1,
      errorName: 'E_INVALID_AUTHORIZATION',
    });
  });

  it('v2 at /v2: Discover, Control and ReportState with a BearerToken from login and with a JWT; the console header is required', async () => {
    const login = await post(cloud(), '/command', { command: 'login', params: { username: 'demo', password: 'homebase' } });
    const discovered = await postV2(cloud(), discover(bearer(login.data.userToken)));
    const curtain = (discovered.payload.endpoints as { endpointId: string; displayType: string }[]).find(
      (e) => e.displayType === 'curtain',
    );
    expect(curtain).toBeDefined();
    const moved = await postV2(cloud(), control(bearer(login.data.userToken), curtain!.endpointId, 'Position.Set', { value: 40 }));
    expect(moved.endpoint.states).toContainEqual(expect.objectContaining({ interface: 'Position', value: 40 }));
    // A JWT naming the same vendor user sees the same home.
    const asJwt = jwt(login.data.userId, CONTEXTS.usercenter.rokidJwtAppId, jwtAppSecret);
    const reported = await postV2(cloud(), reportState(asJwt, curtain!.endpointId));
    expect(reported.endpoint.states).toContainEqual(expect.objectContaining({ interface: 'Position', value: 40 }));
    // The driver's own misconfiguration, never E_INVALID_AUTHORIZATION, which would make Rokid drop the binding (#28).
    const refused = await postV2(cloud(), discover(asJwt, 'm-no-header'), {});
    expect(refused).toMatchObject({
      header: { name: 'ErrorResponse', messageId: 'm-no-header' },
      payload: { name: 'E_INTERNAL_ERROR', vendorCode: 'REQUIRED_HEADER_MISMATCH' },
    });
  });

  it('sign-in throttling refuses a guesser before UserCenter is asked, and counts it', async () => {
    const attempt = () => post(cloud(), '/command', { command: 'login', params: { username: 'guessed-user', password: 'guess' } });
    let answer = await attempt();
    for (let tries = 1; answer.errorName === 'E_DRIVER_WRONG_USERNAME_PASSWORD' && tries < 12; tries++) answer = await attempt();
    expect(answer).toMatchObject({
      status: 1,
      errorName: 'E_DRIVER_LOGIN_FAILED',
      message: expect.stringMatching(/^Too many failed sign-in/),
    });
    expect(cloud().metrics()).toContainEqual(
      expect.objectContaining({ name: 'sign_ins_throttled', dimensions: { service: 'homebase-driver' } }),
    );
  });

  it('an expired upstream token is refreshed inline by /execute, /list and a v2 Control', async () => {
    const login = await post(cloud(), '/command', { command: 'login', params: { username: 'demo', password: 'homebase' } });
    await refreshInline(cloud(), login.data);
  });

  it('one scheduled run refreshes a due link, and one retires a link whose driver tokens expired', async () => {
    const login = await post(cloud(), '/command', { command: 'login', params: { username: 'demo', password: 'homebase' } });
    await makeDue(cloud(), login.data.userToken);
    const [report] = await cloud().runSchedules();
    expect(report).toMatchObject({ refreshed: 1, failed: 0, needsRelink: 0 });
    await expireDriverTokens(cloud(), login.data.userToken);
    expect(await cloud().runSchedules()).toMatchObject([{ retired: 1 }]);
  });
});

describe('the OAuth assembly', () => {
  const cloud = () => oauthDeployed.cloud;
  const callback = 'https://homebase.rokid.com/oauth/done';

  async function link() {
    const { status, data: url } = await post(cloud(), '/command', { command: 'OAuth', params: { callbackURL: callback } });
    expect(status).toBe(0);
    const atHomebase = (u: URL) => u.origin === 'https://homebase.rokid.com';
    const browser = new Browser();
    const login = await browser.visit(url, atHomebase);
    const back = await browser.submit(
      formAction(login),
      { username: DEMO_OAUTH_ACCOUNT.username, password: DEMO_OAUTH_ACCOUNT.password },
      atHomebase,
    );
    const got = await post(cloud(), '/command', { command: 'OAuthGetToken', params: { code: back.url.searchParams.get('code') } });
    expect(got).toMatchObject({ status: 0, data: { userId: DEMO_OAUTH_ACCOUNT.accountId } });
    return got.data as { userId: string; userToken: string; refreshToken: string };
  }

  // The device cloud's stand-in asks the provider's userinfo whose each token is, as a vendor's cloud would.
  it('the OAuth commands link an account at the local oidc-provider; its tokens list, execute (refreshing inline) and refresh', {
    timeout: 20_000,
  }, async () => {
    const userAuth = await link();
    const refreshesBefore = oidc().refreshCalls;
    await refreshInline(cloud(), userAuth);
    expect(oidc().refreshCalls).toBe(refreshesBefore + 3);
    const refreshed = await post(cloud(), '/command', { command: 'OAuthRefresh', params: userAuth });
    expect(refreshed.status).toBe(0);
  });

  it('a scheduled run refreshes a due link at the provider, and counts an outage and a refused grant', { timeout: 20_000 }, async () => {
    const userAuth = await link();
    await makeDue(cloud(), userAuth.userToken);
    expect(await cloud().runSchedules()).toMatchObject([{ refreshed: 1 }]);

    await makeDue(cloud(), userAuth.userToken);
    oidc().tokenFaults = [{ status: 503 }];
    expect(await cloud().runSchedules()).toMatchObject([{ failed: 1 }]);

    await makeDue(cloud(), userAuth.userToken);
    oidc().tokenFaults = [{ status: 400, error: 'invalid_grant' }];
    expect(await cloud().runSchedules()).toMatchObject([{ needsRelink: 1 }]);

    const other = await link();
    await expireDriverTokens(cloud(), other.userToken);
    expect(await cloud().runSchedules()).toMatchObject([{ retired: 1 }]);
  });
});

/**
 * State reports as deployed: AcceptGrant at /v2, POST /device-events, the events queue polled by the template's
 * mapping into the consumer, Rokid's token endpoint and gateway stood in for; every class of the gateway's answer
 * the consumer acts on, the refresh job keeping the event token fresh, and the webhook's and consumer's own failures.
 */
async function exerciseStateReports(deployed: Deployed, authorization: V2Authorization, vendorUserId: string) {
  const { cloud, idOf } = deployed;
  const rokid = deployed.standIns.rokid!;
  const light = demoHome(vendorUserId).find((d) => d.deviceId.endsWith('white-light'))!.deviceId;
  let n = 0;
  const report = (extra: Record<string, unknown> = {}) =>
    postDeviceEvents(cloud.url, deviceEventsSecret, [
      { id: `ev-${++n}`, userId: vendorUserId, deviceId: light, type: 'changed', state: { switch: 'on' }, ...extra },
    ]);
  const statuses = () => rokid.received.map((e) => e.status);

  const granted = await postV2(
    cloud,
    v2Message('Rokid.Authorization', 'AcceptGrant', authorization, {
      payload: {
        grant: { type: 'OAuth2.AuthorizationCode', code: rokid.issueCode(`rokid-${vendorUserId}`), userId: `rokid-${vendorUserId}` },
      },
    }),
  );
  expect(granted.header).toMatchObject({ namespace: 'Rokid.Authorization', name: 'AcceptGrantResponse' });
  const discovered = await postV2(cloud, discover(authorization));
  expect(discovered.payload.endpoints.find((e: { endpointId: string }) => e.endpointId === light).capabilities[0].proactivelyReported).toBe(
    true,
  );

  // 202, and a repeated id dropped.
  expect((await report({ id: 'ev-once' })).status).toBe(202);
  expect(JSON.parse((await report({ id: 'ev-once' })).body)).toEqual({ queued: 0, duplicates: 1 });
  await cloud.drainQueues();
  expect(statuses()).toEqual([202]);
  expect(rokid.received[0]!.message).toMatchObject({ header: { name: 'ChangeReport' }, endpoint: { endpointId: light } });

  // 5xx: retried after its backoff.
  rokid.gatewayFault = 503;
  await report();
  await cloud.drainQueues();
  rokid.gatewayFault = undefined;
  cloud.advanceQueues(retryDelayS(1) * 1000);
  await cloud.drainQueues();
  expect(statuses().slice(1)).toEqual([503, 202]);

  // 400: set aside in the dead-letter queue at once.
  const [deadLettersId] = resourcesOfType(deployed.assembly, 'AWS::SQS::Queue').find(([id]) => id.includes('EventDeadLetters'))!;
  const deadLetters = () => cloud.sqs.depth(cloud.physical(deadLettersId, 'QueueName'));
  const setAsideBefore = deadLetters();
  rokid.gatewayFault = 400;
  await report();
  await cloud.drainQueues();
  rokid.gatewayFault = undefined;
  expect(deadLetters()).toBe(setAsideBefore + 1);

  // 401: refreshed once by the consumer, resent.
  rokid.expireTokens();
  await report();
  await cloud.drainQueues();
  expect(statuses().slice(-2)).toEqual([401, 202]);

  // The refresh job keeps the token fresh (Rokid's tokens here live 5 minutes, under the 10-minute lead), and counts an outage.
  expect(await cloud.runSchedules()).toMatchObject([{ grantsRefreshed: 1 }]);
  rokid.tokenFault = 503;
  expect(await cloud.runSchedules()).toMatchObject([{ grantsFailed: 1 }]);
  rokid.tokenFault = undefined;

  // The webhook's queue fails: 503, and the ids given back for the retry.
  cloud.fail(idOf('deviceEvents'), 'sqs', 'ServiceUnavailable', 1);
  expect((await report({ id: 'ev-retried' })).status).toBe(503);
  expect((await report({ id: 'ev-retried' })).status).toBe(202);
  // The consumer's table fails: the event is retried, and delivered once the table is back.
  cloud.fail(idOf('stateReports'), 'dynamodb', 'ResourceNotFoundException', 1, { operation: 'Query' });
  await cloud.drainQueues();
  cloud.advanceQueues(retryDelayS(1) * 1000);
  await cloud.drainQueues();
  expect(statuses().at(-1)).toBe(202);

  // 403: the grant ends; nothing more is sent with it.
  rokid.revoke(`rokid-${vendorUserId}`);
  await report();
  await cloud.drainQueues();
  expect(statuses().at(-1)).toBe(403);
  const sent = rokid.received.length;
  await report();
  await cloud.drainQueues();
  expect(rokid.received).toHaveLength(sent);
}

describe('state reports', () => {
  it('the UserCenter assembly: a BearerToken grant from login; every answer of the gateway as deployed', { timeout: 60_000 }, async () => {
    const { cloud } = usercenterDeployed;
    const userAuth = (await post(cloud, '/command', { command: 'login', params: { username: 'demo', password: 'homebase' } })).data;
    await post(cloud, '/list', { userAuth });
    await exerciseStateReports(usercenterDeployed, bearer(userAuth.userToken), userAuth.userId);
  });

  it("the OAuth assembly: a JWT user's grant", { timeout: 60_000 }, async () => {
    await exerciseStateReports(oauthDeployed, jwt('vendor-user-events', CONTEXTS.oauth.rokidJwtAppId, jwtAppSecret), 'vendor-user-events');
  });
});

describe('failures of its own, as each Homebase-facing function reports them', () => {
  it('a missing table answers E_DRIVER_ERROR and counts unexpected_errors under the function', async () => {
    for (const deployed of [usercenterDeployed, oauthDeployed]) {
      const { cloud, idOf } = deployed;
      const requests: Record<string, [string, unknown]> = {
        list: ['/list', { userAuth: { userId: '1', userToken: 'hbu.AAAAAAAAAAAAAAAAAAAAAA.x' } }],
        execute: [
          '/execute',
          {
            device: { deviceId: 'd', userAuth: { userId: '1', userToken: 'hbu.AAAAAAAAAAAAAAAAAAAAAA.x' } },
            action: { property: 'switch', name: 'on' },
          },
        ],
        command: ['/command', { command: 'login', params: { username: 'demo', password: 'homebase' } }],
      };
      for (const [name, [path, body]] of Object.entries(requests)) {
        cloud.fail(idOf(name as keyof typeof FUNCTIONS), 'dynamodb', 'ResourceNotFoundException', 5);
        await expect(post(cloud, path, body), name).resolves.toMatchObject({ status: 1, errorName: 'E_DRIVER_ERROR' });
        cloud.fail(idOf(name as keyof typeof FUNCTIONS), 'dynamodb', 'ResourceNotFoundException', 0);
      }
    }
    // v2: a Control whose claim was written, then the table failed: E_INTERNAL_ERROR, and the claim given back.
    const { cloud, idOf } = usercenterDeployed;
    const asJwt = jwt('vendor-user-missing-table', CONTEXTS.usercenter.rokidJwtAppId, jwtAppSecret);
    const light = demoHome('vendor-user-missing-table')[0]!.deviceId;
    cloud.fail(idOf('directive'), 'dynamodb', 'ResourceNotFoundException', 1, { operation: 'GetItem' });
    await expect(postV2(cloud, control(asJwt, light, 'Switch.On', {}, 'm-missing-table'))).resolves.toMatchObject({
      header: { name: 'ErrorResponse', messageId: 'm-missing-table' },
      payload: { name: 'E_INTERNAL_ERROR' },
    });
    cloud.fail(idOf('directive'), 'dynamodb', 'ResourceNotFoundException', 0);
    // Given back: the same message, retried, is acted on.
    await expect(postV2(cloud, control(asJwt, light, 'Switch.On', {}, 'm-missing-table'))).resolves.toMatchObject({
      header: { name: 'Response' },
    });
  });
});

describe('permissions and alarms, against what the run did', () => {
  const allowedUnused = (grant: Grant, driverFunction: string | undefined) =>
    grantUse(grant, driverFunction, UNUSED_ON_LOOPBACK) !== undefined;

  it.each(['usercenter', 'oauth'] as const)('the %s assembly: no call its role would deny, and no grant unused and unexplained', (kind) => {
    const { assembly, cloud, driverFunction } = kind === 'usercenter' ? usercenterDeployed : oauthDeployed;
    expect(cloud.calls.length).toBeGreaterThan(20);
    const report = checkPermissions(assembly, cloud.physical, cloud.calls);
    expect(report.denied).toEqual([]);
    const unexplained = report.unused
      .filter((grant) => !allowedUnused(grant, driverFunction[grant.function]))
      .map((grant) => `${driverFunction[grant.function]}: ${grant.action} on ${grant.resource}`);
    expect(unexplained).toEqual([]);
  });

  it('every alarm on the driver namespace watches a metric a function emitted; the AWS ones name the template resources', () => {
    // Both assemblies name their resources alike, and the refresh failures are provoked in the OAuth one.
    const emitted: EmittedMetric[] = [...usercenterDeployed.cloud.metrics(), ...oauthDeployed.cloud.metrics()];
    for (const { assembly, cloud } of [usercenterDeployed, oauthDeployed]) {
      const report = checkAlarms(assembly, cloud.physical, emitted, METRICS_NAMESPACE);
      expect(report).toEqual({ withoutEmitter: [], badDimensions: [] });
    }
  });

  it("every dashboard widget watches a metric a function emitted or the access log's filter drew; the AWS ones name the template resources", () => {
    const emitted: EmittedMetric[] = [...usercenterDeployed.cloud.metrics(), ...oauthDeployed.cloud.metrics()];
    for (const { assembly, cloud } of [usercenterDeployed, oauthDeployed]) {
      expect(checkDashboards(assembly, cloud.physical, emitted, METRICS_NAMESPACE)).toEqual({ withoutEmitter: [], badDimensions: [] });
    }
  });

  it('a permission check that can fail: a call outside the role is denied', () => {
    const { assembly, cloud, idOf } = usercenterDeployed;
    const report = checkPermissions(assembly, cloud.physical, [
      {
        function: cloud.physical(idOf('list')),
        action: 'dynamodb:Scan',
        resources: [cloud.physical(resourcesOfType(assembly, 'AWS::DynamoDB::Table')[0]![0], 'Arn')],
      },
    ]);
    expect(report.denied).toHaveLength(1);
  });
});

describe('npm run preflight', () => {
  const run = async (argv: string[]) => {
    const lines: string[] = [];
    const code = await runPreflight(argv, { out: (line) => lines.push(line), err: (line) => lines.push(line) });
    /** The lines of one section, from its title to the next blank line. */
    const section = (title: string) => {
      const from = lines.findIndex((line) => line.endsWith(title));
      const to = lines.findIndex((line, i) => i > from && line.startsWith('\n'));
      return lines.slice(from + 1, to < 0 ? undefined : to);
    };
    return { code, lines, section };
  };
  const featureNames = (features: string[]) => features.map((line) => line.replace(/: .*$/, ''));

  it('runs every feature the context turns on, JWT and state reports end to end included, and lists no grant unused without its path', {
    timeout: 60_000,
  }, async () => {
    const { code, lines, section } = await run(['--app', usercenterDeployed.dir]);
    expect(lines.at(-1)).toBe('\nPreflight passed.');
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/POST \/device-events\s+→ deviceEvents \(FunctionsDeviceEventsFunction/);
    // Every feature ran (one not run is marked –) and passed.
    expect(featureNames(section('Features the context turns on:'))).toEqual([
      '  ✓ v1 at /command, /list and /execute',
      '  ✓ the OAuth 2.0 server (homebaseClientId=homebase-rokid)',
      '  ✓ v2 at /v2 with a BearerToken',
      '  ✓ v2 at /v2 with a JWT (rokidJwtAppId=rokid-jwt-app)',
      '  ✓ state reports (rokidEventsClientId=rokid-events-deployed)',
      '  ✓ the scheduled refresh',
    ]);
    expect(section('Conformance, v2 with a JWT:').at(-1)).toMatch(/^ {2}2\d passed, 0 failed, 0 skipped$/);
    const steps = section('State reports, as a JWT user:');
    expect(steps).toHaveLength(11);
    expect(steps.filter((step) => !step.startsWith('  ✓'))).toEqual([]);
    // Every grant is used, or listed with the path that would use it.
    const unused = section("checked against each function's role.");
    expect(unused.length).toBeGreaterThan(0);
    expect(unused.filter((line) => !line.includes('(used when: '))).toEqual([]);
    // The failure paths of state reports were taken, so their alarms' metrics were emitted.
    expect(section('Alarms:').filter((line) => /events_|grant/.test(line))).toEqual([]);
  });

  it('with deviceCloud=http, a stand-in takes the service token in place of the vendor cloud; it names what it could not run', {
    timeout: 60_000,
  }, async () => {
    const { code, lines, section } = await run(['--app', oauthDeployed.dir]);
    expect(lines.at(-1)).toBe(
      '\nPreflight passed, but did not run: v1 /list and /execute for a signed-in user; v2 at /v2 with a BearerToken.',
    );
    expect(code).toBe(0);
    expect(featureNames(section('Features the context turns on:'))).toEqual([
      '  ✓ v1 at /command, /list and /execute',
      '  – v1 /list and /execute for a signed-in user',
      '  – v2 at /v2 with a BearerToken',
      '  ✓ v2 at /v2 with a JWT (rokidJwtAppId=rokid-jwt-app)',
      '  ✓ state reports (rokidEventsClientId=rokid-events-deployed)',
      '  ✓ the scheduled refresh',
      '  ✓ the http device cloud (deviceCloud=http)',
    ]);
    expect(section('State reports, as a JWT user:').filter((step) => !step.startsWith('  ✓'))).toEqual([]);
    expect(section("checked against each function's role.").filter((line) => !line.includes('(used when: '))).toEqual([]);
    expect(lines.join('\n')).toMatch(
      /took 0 calls with a user's bearer token and [1-9]\d* with the service token; every function's DEVICE_CLOUD_URL pointed at it, so nothing reached https:\/\/devices\.vendor\.example/,
    );
    expect((await run(['--help'])).code).toBe(0);
    const usage = await run(['-c', 'upstream']);
    expect(usage.code).toBe(2);
    expect(usage.lines.at(-1)).toMatch(/^-c takes key=value, not "upstream"\./);
  });
});
