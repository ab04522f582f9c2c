/**
 * What preflight runs, one feature of the deployment at a time, each as the context turns it on: v1 and v2 by
 * the conformance checks (v2 with the demo account's BearerToken, and with a JWT signed with the appSecret the
 * stand-in Secrets Manager holds, where rokidJwtAppId is set), state reports end to end (preflight-state-reports.ts,
 * where rokidEventsClientId is set), the vendor's device cloud stood in for (deviceCloud=http), and the scheduled
 * refresh. Each feature is reported as passed, failed or not run, and why; every check's lines go to `io` as it runs.
 */
import { headerLine } from '../../functions/config.ts';
import { humanReport } from '../conformance/report.ts';
import { runConformance } from '../conformance/run.ts';
import { DEMO_ACCOUNT, demoUserAuth } from '../local/usercenter-server.ts';
import { signRokidJwt } from '../stand-ins/rokid-jwt.ts';
import type { LocalCloud } from './local-cloud.ts';
import { runStateReports } from './preflight-state-reports.ts';
import { resourcesOfType } from './template.ts';
import type { UpstreamStandIns } from './upstream-stand-ins.ts';

export interface Feature {
  name: string;
  outcome: 'passed' | 'failed' | 'not run';
  /** What ran, or why it did not. */
  detail: string;
}

interface Io {
  out(line: string): void;
}

const CALLBACK = 'https://homebase.rokid.com/oauth/callback';
/** The vendor user a JWT names: the JWT user's home is the device cloud's for this id. */
export const PREFLIGHT_JWT_USER = 'preflight-jwt-user';

export async function runFeatures(cloud: LocalCloud, standIns: UpstreamStandIns, io: Io): Promise<Feature[]> {
  const setting = templateSetting(cloud);
  const headers = requiredHeader(setting('V2_REQUIRED_HEADER'));
  const features: Feature[] = [];
  const conformance = async (title: string, name: string, options: Partial<Parameters<typeof runConformance>[0]>) => {
    const report = await runConformance({ baseUrl: cloud.url, callbackUrl: CALLBACK, execute: true, execDelayMs: 0, ...options });
    io.out(`\n${title}:`);
    for (const line of humanReport(report)) io.out(`  ${line}`);
    const detail = `conformance checks: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`;
    features.push({ name, outcome: report.failed > 0 ? 'failed' : 'passed', detail });
    return report;
  };
  const login = standIns.userCenter ? { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password } : {};
  const v1 = await conformance('Conformance', 'v1 at /command, /list and /execute', login);
  const noLogin = 'no password login to get a token with (upstream=oauth signs in in a browser)';
  if (!standIns.userCenter) features.push({ name: 'v1 /list and /execute for a signed-in user', outcome: 'not run', detail: noLogin });

  const oauth2 = v1.results.find((result) => result.id === 'oauth2.metadata');
  if (setting('HOMEBASE_CLIENT_ID')) {
    features.push({
      name: `the OAuth 2.0 server (homebaseClientId=${setting('HOMEBASE_CLIENT_ID')})`,
      outcome: oauth2?.ok && !oauth2.skipped ? 'passed' : 'failed',
      detail: `its metadata (RFC 8414), by the conformance checks; the sign-in is a browser's, which the test suite drives`,
    });
  }

  if (standIns.userCenter) {
    const bearer = (await demoUserAuth(cloud.url)).userToken;
    await conformance('Conformance, v2 with a BearerToken', 'v2 at /v2 with a BearerToken', {
      protocol: 'v2',
      bearer,
      headers,
    });
  } else features.push({ name: 'v2 at /v2 with a BearerToken', outcome: 'not run', detail: noLogin });

  const jwtAppId = setting('ROKID_JWT_APP_ID');
  const jwtAppSecret = standIns.secret('ROKID_JWT_APP_SECRET_ARN');
  if (jwtAppId && jwtAppSecret) {
    await conformance('Conformance, v2 with a JWT', `v2 at /v2 with a JWT (rokidJwtAppId=${jwtAppId})`, {
      protocol: 'v2',
      jwt: { appId: jwtAppId, appSecret: jwtAppSecret, userId: PREFLIGHT_JWT_USER },
      headers,
    });
  }

  const eventsClientId = setting('ROKID_EVENTS_CLIENT_ID');
  if (eventsClientId) {
    const name = `state reports (rokidEventsClientId=${eventsClientId})`;
    // A JWT user needs no sign-in; without JWT, the demo account signs in by password where it can.
    const user =
      jwtAppId && jwtAppSecret
        ? { authorization: { type: 'JWT' as const, token: signedJwt(jwtAppId, jwtAppSecret) }, vendorUserId: PREFLIGHT_JWT_USER }
        : standIns.userCenter
          ? await demoUserAuth(cloud.url).then(({ userId, userToken }) => ({
              authorization: { type: 'BearerToken' as const, token: userToken },
              vendorUserId: userId,
            }))
          : undefined;
    const deviceEventsSecret = standIns.secret('DEVICE_EVENTS_SECRET_ARN');
    const webhookId = cloud.routes['POST /device-events'];
    if (!user) features.push({ name, outcome: 'not run', detail: `AcceptGrant needs a user: set rokidJwtAppId, or ${noLogin}` });
    else if (!standIns.rokid || !deviceEventsSecret || !webhookId) {
      features.push({ name, outcome: 'failed', detail: 'the template has no DEVICE_EVENTS_SECRET_ARN or no POST /device-events route' });
    } else {
      const { authorization, vendorUserId } = user;
      io.out(`\nState reports, as a ${authorization.type} user:`);
      const run = await runStateReports({
        cloud,
        rokid: standIns.rokid,
        deviceEventsSecret,
        authorization,
        vendorUserId,
        headers,
        webhookId,
      });
      for (const line of run.lines) io.out(`  ${line}`);
      features.push({
        name,
        outcome: run.failed ? 'failed' : 'passed',
        detail: `${run.lines.length} steps, from AcceptGrant to the grant's end`,
      });
    }
  }

  io.out('\nOne scheduled refresh run:');
  try {
    io.out(`  ${JSON.stringify(await cloud.runSchedules())}`);
    features.push({ name: 'the scheduled refresh', outcome: 'passed', detail: 'one run of the refresh job, as EventBridge starts it' });
  } catch (error) {
    io.out(`  ✗ ${(error as Error).message}`);
    features.push({ name: 'the scheduled refresh', outcome: 'failed', detail: (error as Error).message });
  }

  if (standIns.deviceCloud)
    features.push(deviceCloudFeature(standIns.deviceCloud, Boolean(standIns.userCenter), Boolean(jwtAppId || eventsClientId)));
  return features;
}

/** The device cloud's stand-in took the calls each kind of user makes, and the vendor's URL got none. */
function deviceCloudFeature(
  deviceCloud: NonNullable<UpstreamStandIns['deviceCloud']>,
  bearerUsers: boolean,
  serviceTokenUsers: boolean,
): Feature {
  const { calls, replacedUrl, server } = deviceCloud;
  const missing = [
    ...(bearerUsers && calls.bearer === 0 ? ["a user's bearer token"] : []),
    ...(serviceTokenUsers && calls.serviceToken === 0 ? ['the service token'] : []),
  ];
  return {
    name: 'the http device cloud (deviceCloud=http)',
    outcome: missing.length > 0 ? 'failed' : 'passed',
    detail:
      `a stand-in at ${server.url} took ${calls.bearer} calls with a user's bearer token and ${calls.serviceToken} with the service token` +
      `${missing.length > 0 ? `, none with ${missing.join(' or ')}` : ''}; every function's DEVICE_CLOUD_URL pointed at it, so nothing reached ${replacedUrl}`,
  };
}

/** A setting of the functions' environment as the template gives it (every function gets the same driver settings). */
function templateSetting(cloud: LocalCloud): (name: string) => string | undefined {
  const environment: Record<string, unknown> = Object.assign(
    {},
    ...resourcesOfType(cloud.assembly, 'AWS::Lambda::Function').map(([, fn]) => fn.Properties?.['Environment']?.Variables ?? {}),
  );
  return (name) => (typeof environment[name] === 'string' ? (environment[name] as string) : undefined);
}

/** The console header the directive function requires (V2_REQUIRED_HEADER), as headers to send. */
function requiredHeader(header: string | undefined): Record<string, string> {
  const parsed = header ? headerLine(header) : undefined;
  return parsed ? { [parsed.name]: parsed.value } : {};
}

/** A JWT for PREFLIGHT_JWT_USER, as Rokid signs one. */
const signedJwt = (appId: string, appSecret: string) =>
  signRokidJwt({ userId: PREFLIGHT_JWT_USER, appId, iat: Math.floor(Date.now() / 1000) }, appSecret);
