import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHandlers } from '../support/handlers.ts';

let driver: Awaited<ReturnType<typeof startHandlers>>;
beforeAll(async () => {
  driver = await startHandlers({}, { POWERTOOLS_LOG_LEVEL: 'INFO' });
});
afterAll(() => driver.close());

const json = (value: unknown) => JSON.stringify(value);

describe('logs', () => {
  it('say what happened to each request and never contain a token or a password', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let secrets: string[];
    try {
      const login = await driver.call('command', json({ command: 'Login', params: { username: 'demo', password: 'homebase' } }));
      const userAuth = login.data as { userId: string; userToken: string; refreshToken: string };
      const devices = (await driver.call('list', json({ userAuth }))).data as Array<{ deviceId: string }>;
      const on = { property: 'switch', name: 'on' };
      await driver.call('execute', json({ device: { deviceId: devices[0]!.deviceId, userAuth }, action: on }));
      await driver.call('execute', json({ device: { deviceId: 'ghost', userAuth }, action: on }));
      await driver.call('list', json({ userAuth: { ...userAuth, userToken: `${userAuth.userToken}x` } }));
      await driver.call('command', json({ command: 'login', params: { username: 'demo', password: 'wrong-secret-pw' } }));
      const { Items = [] } = await driver.table.db.send(new ScanCommand({ TableName: driver.table.tableName }));
      const upstream = Items.filter((item) => item['pk'].startsWith('LINK#')).map((item) => item['credentials'].accessToken as string);
      expect(upstream).toHaveLength(1);
      // The demo password is also part of the service name, so look for it as a JSON value.
      secrets = [userAuth.userToken, userAuth.refreshToken, ...upstream, '"homebase"', 'wrong-secret-pw'];
    } finally {
      spy.mockRestore();
    }
    const logs = written.join('');
    expect(logs).toContain('"route":"POST /execute","outcome":"E_DRIVER_DEVICE_NO_FOUND"');
    expect(logs).toContain('"outcome":"E_DRIVER_WRONG_USERNAME_PASSWORD"');
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
