/** The refresh job's reads follow the due set, not the table size: the sparse due index on dynalite. */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sealedItem } from '../../functions/adapters/dynamodb/link-item.ts';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { testCipher } from '../support/credentials.ts';

const cipher = testCipher();

import { LinkRefresher } from '../../functions/domain/refresh/link-refresher.ts';
import { RefreshJob } from '../../functions/domain/refresh/refresh-job.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { LinkRevoker } from '../../functions/domain/revocation/link-revoker.ts';
import type { Link } from '../../functions/domain/vault/link.ts';
import { countItemsRead, testTable } from '../support/dynamodb.ts';
import { CountingMetrics, FakeClock, RecordingLog } from '../support/in-memory.ts';

let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable();
});
afterAll(() => table.close());

const NOW = 1_800_000_000;
const link = (i: number, refreshDueAt: number | undefined, status: Link['status'] = 'active'): Link => ({
  linkId: `link-${i.toString().padStart(6, '0')}`,
  vendorUserId: `user-${i}`,
  upstream: 'usercenter',
  credentials: { accessToken: `a-${i}`, refreshToken: `r-${i}`, expiresAt: NOW + 600, extra: {} },
  status,
  ...(refreshDueAt === undefined ? {} : { refreshDueAt }),
  lastRefreshedAt: NOW - 3000,
  refreshFailures: 0,
  userTokenHash: 'h',
  userTokenExpiresAt: NOW + 86_400,
  refreshTokenHash: 'h',
  refreshTokenExpiresAt: NOW + 86_400,
  createdAt: NOW - 3000,
  updatedAt: NOW - 3000,
  version: 1,
});

async function seed(links: Link[]): Promise<void> {
  const batches: Link[][] = [];
  for (let i = 0; i < links.length; i += 25) batches.push(links.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 20) {
    await Promise.all(
      batches.slice(i, i + 20).map(async (batch) => {
        const items = await Promise.all(batch.map(async (l) => ({ PutRequest: { Item: await sealedItem(l, cipher) } })));
        return table.db.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: items } }));
      }),
    );
  }
}

it('with 10 due among 10,000 links, a run reads about 10 items, not 10,000', { timeout: 60_000 }, async () => {
  const all: Link[] = [];
  for (let i = 0; i < 10_000; i++) {
    // 10 due now, a few that need a relink (filed under their retirement, a day away), the rest due later.
    const dueAt = i % 1000 === 0 ? NOW - 5 : NOW + 3600 + i;
    all.push(i % 997 === 1 ? link(i, undefined, 'needs_relink') : link(i, dueAt));
  }
  await seed(all);

  const counter = countItemsRead(table.db);

  const clock = new FakeClock();
  clock.seconds = NOW;
  const links = new DynamoLinkStore(table.db, table.tableName, cipher);
  const refreshed: string[] = [];
  const refresher = new LinkRefresher({
    links,
    upstreams: {
      usercenter: {
        refresh: async (token) => {
          refreshed.push(token);
          return { accessToken: 'new', expiresIn: 3600, extra: {} };
        },
      },
    },
    clock,
    policy: DEFAULT_POLICY,
    metrics: new CountingMetrics(),
    log: new RecordingLog(),
  });
  const revoker = new LinkRevoker({
    links,
    upstreams: {},
    clock,
    policy: DEFAULT_POLICY,
    metrics: new CountingMetrics(),
    log: new RecordingLog(),
  });
  const job = new RefreshJob({ links, refresher, revoker, clock, log: new RecordingLog(), settings: { concurrency: 16, reserveMs: 0 } });

  await expect(job.run({ requestId: 'r', remainingMs: () => 60_000 })).resolves.toMatchObject({ refreshed: 10, failed: 0 });
  expect(refreshed.sort()).toEqual(Array.from({ length: 10 }, (_, k) => `r-${k * 1000}`));
  // Ten index entries, and each link read once more as its lease is taken.
  expect(counter.read()).toBe(20);
});
