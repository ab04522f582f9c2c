/**
 * `npm run links` against a running local driver (its embedded DynamoDB and UserCenter), as an operator
 * would use it, and against a table named with --table.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { DEMO_ACCOUNT } from '../../lib/local/usercenter-server.ts';
import { runLinks } from '../../lib/operator/links-command.ts';
import { postJson } from '../support/http.ts';

let dataDir: string;
let driver: LocalDriver;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'links-cli-'));
  driver = await startLocalDriver({ port: 0, dataDir, settings: {} });
});
afterAll(async () => {
  await driver.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function links(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLinks(argv, { env: { DATA_DIR: dataDir }, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const login = async () => {
  const answer = await postJson(driver.url, '/command', {
    command: 'login',
    params: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
  });
  return answer.data as { userId: string; userToken: string; refreshToken: string };
};

describe('npm run links', () => {
  it('lists, shows and revokes the links of a vendor user; the driver token stops working at once', async () => {
    const auth = await login();
    const other = await login();

    const listed = await links('list', '--json');
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as { linkId: string; vendorUserId: string; status: string }[];
    expect(rows.filter((r) => r.vendorUserId === DEMO_ACCOUNT.userId)).toHaveLength(2);
    expect(rows[0]).toEqual({
      linkId: expect.any(String),
      vendorUserId: DEMO_ACCOUNT.userId,
      upstream: 'usercenter',
      status: 'active',
      linkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      usableUntil: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    // One link's driver tokens rotated once, the other's never.
    await postJson(driver.url, '/command', { command: 'OAuthRefresh', params: { refreshToken: other.refreshToken } });
    const shown = await links('show', DEMO_ACCOUNT.userId);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/^nextRefreshAt\s+\d{4}-/m);
    expect(shown.out).toMatch(/^lastRotatedAt\s+-\nspentRefreshTokens\s+0$/m);
    expect(shown.out).toMatch(/^lastRotatedAt\s+\d{4}-\d\d-\d\dT[\d:.]+Z\nspentRefreshTokens\s+1$/m);
    // Oldest first, as list orders them, every time.
    const inJson = JSON.parse((await links('show', DEMO_ACCOUNT.userId, '--json')).out) as { linkId: string; linkedAt: string }[];
    const listedOrder = (JSON.parse(listed.out) as { linkId: string }[]).map((row) => row.linkId);
    expect(inJson.map((row) => row.linkId)).toEqual(listedOrder.filter((id) => inJson.some((row) => row.linkId === id)));
    expect(inJson.map((row) => row.linkedAt)).toEqual(inJson.map((row) => row.linkedAt).sort());
    // Ids, statuses and times only: no token, no token hash.
    for (const output of [listed.out, shown.out]) {
      expect(output).not.toContain(auth.userToken.split('.')[2]);
      expect(output).not.toMatch(/hash|accessToken|sealed/i);
    }

    const revoked = await links('revoke', DEMO_ACCOUNT.userId);
    expect(revoked).toMatchObject({ code: 0, err: '' });
    expect(revoked.out.split('\n')).toHaveLength(2);
    expect(revoked.out).toContain('revoked: the upstream grant too');

    for (const userAuth of [auth, other]) {
      await expect(postJson(driver.url, '/list', { userAuth })).resolves.toMatchObject({ status: 1, errorName: 'E_DRIVER_SIGN_ERROR' });
    }
    await expect(links('show', DEMO_ACCOUNT.userId)).resolves.toEqual({
      code: 1,
      out: '',
      err: `No links for vendor user ${DEMO_ACCOUNT.userId}.`,
    });
  });

  it('works on a table named with --table, with the settings from the environment', async () => {
    await login();
    const env = { TABLE_NAME: 'ignored', CREDENTIALS_KEY_FILE: driver.config.CREDENTIALS_KEY_FILE, USERCENTER_URL: driver.userCenterUrl };
    const out: string[] = [];
    const code = await runLinks(['list', '--table', driver.config.TABLE_NAME], { env, out: (l) => out.push(l), err: () => undefined });
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^linkId\s+vendorUserId\s+upstream\s+status\s+linkedAt\s+usableUntil$/);
    expect(out.slice(1).every((line) => line.includes(DEMO_ACCOUNT.userId))).toBe(true);
  });

  it.each([
    [['frob'], 'Unknown command "frob".'],
    [['revoke'], 'revoke needs the vendor user id.'],
    [['show'], 'show needs the vendor user id.'],
    [['list', 'someone'], 'list takes no user id.'],
    [['revoke', 'a', 'b'], 'Unexpected "b".'],
    [['list', '--table'], "Option '--table <value>' argument missing"],
  ])('refuses %j with exit code 2 and says why', async (argv, reason) => {
    const { code, err } = await links(...argv);
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe(reason);
    expect(err).toContain('usage: npm run links');
  });

  it('ignores the runtime file a stopped npm start left behind', async () => {
    const stale = join(dataDir, 'stale');
    await mkdir(stale, { recursive: true });
    // No process has this id: the pid space ends far below it.
    await writeFile(
      join(stale, 'runtime.json'),
      JSON.stringify({ pid: 2 ** 30, url: 'http://127.0.0.1:1', dynamoEndpoint: 'http://127.0.0.1:1', settings: {} }),
    );
    const err: string[] = [];
    const code = await runLinks(['list'], { env: { DATA_DIR: stale }, out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^No npm start is running on .*stale\. /);
  });

  it('says plainly when no npm start runs on the data directory', async () => {
    const err: string[] = [];
    const code = await runLinks(['list'], { env: { DATA_DIR: join(dataDir, 'elsewhere') }, out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^No npm start is running on .*elsewhere\. .*start it \(npm start\)/)]);
  });
});
