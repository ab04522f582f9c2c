/**
 * `npm run rhome-check`: Rokid's rhome 2.0.8 against the driver, with both authorization types. For each it
 * discovers (and, since rhome's own Discover check accepts any object, validates every endpoint with rhome's
 * endpoint schema and ajv), controls a light, reports its state, and sends one directive the driver must refuse,
 * to show what rhome makes of an ErrorResponse.
 */
import { LOCAL_JWT_APP_ID, type LocalDriver, startLocalDriver } from '../local/driver.ts';
import { demoUserAuth } from '../local/usercenter-server.ts';
import { prepareRhome, type RhomeSession, rhomeFor } from './rhome.ts';

export interface RhomeStep {
  session: string;
  step: string;
  ok: boolean;
  detail: string;
}

export async function runRhomeCheck(options: { source: string; log?: (line: string) => void }): Promise<RhomeStep[]> {
  const log = options.log ?? (() => undefined);
  const dir = await prepareRhome(options.source, log);
  const driver = await startLocalDriver({ port: 0, playground: 'off', settings: { REFRESH_INTERVAL_S: '3600' } });
  try {
    const { userId, userToken } = await demoUserAuth(driver.url);
    const endpoint = `${driver.url}/v2`;
    const sessions: RhomeSession[] = [
      { name: 'bearer', endpoint, kind: 'bearer', userId, userToken },
      { name: 'jwt', endpoint, kind: 'jwt', userId: 'rhome-jwt-user', appId: LOCAL_JWT_APP_ID, appSecret: secretOf(driver) },
    ];
    const steps: RhomeStep[] = [];
    for (const session of sessions) steps.push(...(await exercise(dir, session, log)));
    return steps;
  } finally {
    await driver.close();
  }
}

const secretOf = (driver: LocalDriver) => driver.config.ROKID_JWT_APP_SECRET;

async function exercise(dir: string, session: RhomeSession, log: (line: string) => void): Promise<RhomeStep[]> {
  const rhome = await rhomeFor(dir, session);
  const steps: RhomeStep[] = [];
  const step = async (name: string, args: string[], expect: (output: string) => string | undefined) => {
    log(`${session.name}: rhome ${args.join(' ')}`);
    try {
      const output = await rhome.command(args);
      const problem = expect(output);
      steps.push({ session: session.name, step: name, ok: problem === undefined, detail: problem ?? lastLines(output) });
      return output;
    } catch (error) {
      const output = String((error as { stdout?: string }).stdout ?? '') + String((error as { stderr?: string }).stderr ?? '');
      steps.push({ session: session.name, step: name, ok: false, detail: lastLines(output || String(error)) });
      return undefined;
    }
  };

  const discovered = await step('discover', ['discover', '-d'], (out) => (out.includes('endpointId:') ? undefined : 'no endpoint listed'));
  const data = discovered?.split('response data:')[1]?.trim().split('\n')[0];
  const endpoints = data ? (JSON.parse(data) as { endpointId: string; capabilities: { interface: string }[] }[]) : [];
  const refused: string[] = [];
  for (const endpoint of endpoints) {
    const problem = await rhome.validate('/v2-endpoint', endpoint);
    if (problem) refused.push(`${endpoint.endpointId}: ${problem}`);
  }
  steps.push({
    session: session.name,
    step: `every endpoint against rhome's /v2-endpoint schema (${endpoints.length})`,
    ok: endpoints.length > 0 && refused.length === 0,
    detail: refused.join('; ') || `${endpoints.length} endpoints valid`,
  });
  const light = endpoints.find((e) => e.capabilities.some((c) => c.interface === 'Brightness'));
  if (!light) return steps;
  await step('control Switch.On', ['control', light.endpointId, 'Switch.On'], (out) =>
    /Switch: "On"/.test(out) ? undefined : 'no Switch "On" in the states',
  );
  await step('control Brightness.Set 30', ['control', light.endpointId, 'Brightness.Set', '{"value":30}'], (out) =>
    /Brightness: 30/.test(out) ? undefined : 'no Brightness 30 in the states',
  );
  await step('report-state', ['report-state', light.endpointId, '-d'], (out) =>
    /"interface":"Brightness","value":30/.test(out) ? undefined : 'the state was not kept',
  );
  // The driver answers E_VALUE_OUT_OF_RANGE; rhome cannot read an ErrorResponse (no endpoint) and fails, as the digest's row 15 says.
  log(`${session.name}: rhome control ${light.endpointId} Brightness.Set '{"value":101}' (refused by the driver)`);
  const outcome = await rhome.command(['control', light.endpointId, 'Brightness.Set', '{"value":101}']).then(
    (out) => ({ failed: false, out }),
    (error: { stdout?: string; stderr?: string }) => ({ failed: true, out: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
  steps.push({
    session: session.name,
    step: 'an out-of-range Set is refused (rhome cannot read the ErrorResponse, digest row 15)',
    ok: outcome.failed && /E_VALUE_OUT_OF_RANGE/.test(outcome.out),
    detail: outcome.failed ? 'rhome failed on the ErrorResponse, which carries E_VALUE_OUT_OF_RANGE' : 'rhome accepted the reply',
  });
  return steps;
}

const lastLines = (text: string) => text.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
