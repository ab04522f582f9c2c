/** The scheduled refresh run publishes what it recorded, as the alarms on `transient_failure` and `needs_relink` need. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { startHandlers } from '../support/handlers.ts';
import { captureOutput } from '../support/output.ts';

let driver: Awaited<ReturnType<typeof startHandlers>>;
beforeAll(async () => {
  // npm test turns metrics off; this test is about them.
  driver = await startHandlers({}, { POWERTOOLS_METRICS_DISABLED: 'false' });
});
afterAll(() => driver.close());

it('a run that refreshes a link writes the refreshed and lag metrics', async () => {
  const login = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
  const { userToken } = login.data as { userToken: string };
  const links = new DynamoLinkStore(driver.table.db, driver.table.tableName, driver.cipher);
  const link = (await links.get(linkIdOf('hbu', userToken)!))!;
  const past = Math.floor(Date.now() / 1000) - 1;
  const expired = { ...link, credentials: { ...link.credentials, expiresAt: past }, refreshDueAt: past, version: link.version + 1 };
  expect(await links.update(expired)).toBe(true);

  const output = captureOutput();
  try {
    await expect(driver.runRefresh()).resolves.toMatchObject({ refreshed: 1, failed: 0 });
  } finally {
    output.restore();
  }
  const emf = output.entries().find((entry) => entry['_aws'] && entry['refreshed'] !== undefined);
  expect(emf).toMatchObject({ refreshed: 1, lag: expect.any(Number), service: 'homebase-driver' });
  expect(emf?.['_aws'].CloudWatchMetrics[0]).toMatchObject({ Namespace: 'HomebaseDriver' });
});
