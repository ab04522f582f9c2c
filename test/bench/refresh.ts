/**
 * `npm run bench:refresh`: the refresh job's throughput and its read cost as the table grows, against
 * the embedded DynamoDB and a simulated UserCenter that answers every refresh after a fixed latency.
 *
 *   BENCH_LINKS=5000 BENCH_LATENCY_MS=50 BENCH_CONCURRENCY=16 npm run bench:refresh
 *
 * Figures are ratios against baselines measured in the same run, so they hold on any machine.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoLinkStore, item } from '../../functions/adapters/dynamodb/link-store.ts';
import { UserCenterClient } from '../../functions/adapters/usercenter/usercenter-client.ts';
import type { Clock, TokenRefresher } from '../../functions/domain/ports.ts';
import { LinkRefresher } from '../../functions/domain/refresh/link-refresher.ts';
import { RefreshJob } from '../../functions/domain/refresh/refresh-job.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import type { Link } from '../../functions/domain/vault/link.ts';
import { ensureTable, localClient } from '../../lib/local/dynamodb.ts';
import { listen } from '../../lib/local/loopback.ts';
import { countItemsRead } from '../support/dynamodb.ts';
import { startDynamoDBProcess } from './dynamodb-process.ts';

const N = Number(process.env['BENCH_LINKS'] ?? 5000);
const L = Number(process.env['BENCH_LATENCY_MS'] ?? 50);
const C = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const NOW = Math.floor(Date.now() / 1000);
const clock: Clock = { now: () => NOW };
const quiet = { info: () => undefined, warn: () => undefined };
const noMetrics = { refreshed: () => undefined, transientFailure: () => undefined, needsRelink: () => undefined };

// The simulated UserCenter: every refresh succeeds after L ms.
const upstreamServer = createServer((req, res) => {
  req.resume();
  req.on('end', () =>
    setTimeout(() => {
      const result = JSON.stringify({ accessToken: randomUUID(), refreshToken: randomUUID(), expires_in: '7200' });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 1, result }));
    }, L),
  );
});
const upstreamUrl = (await listen(upstreamServer)).url;
const upstream = new UserCenterClient({
  baseUrl: upstreamUrl,
  credentials: async () => ({ sysId: '', clientId: '' }),
  shaAlgorithm: 'sha1',
  timeoutMs: 5000,
  userIdField: 'userId',
  badCredentialsPattern: /password/,
  deadRefreshTokenPattern: /token/,
});

const link = (i: number, refreshDueAt: number): Link => ({
  linkId: `bench-${i}-${randomUUID()}`,
  vendorUserId: `user-${i}`,
  upstream: 'usercenter',
  credentials: { accessToken: `a-${i}`, refreshToken: `r-${i}`, expiresAt: refreshDueAt + 600, extra: {} },
  status: 'active',
  refreshDueAt,
  lastRefreshedAt: NOW - 3600,
  refreshFailures: 0,
  userTokenHash: 'h',
  userTokenExpiresAt: NOW + 86_400,
  refreshTokenHash: 'h',
  refreshTokenExpiresAt: NOW + 86_400,
  createdAt: NOW - 3600,
  updatedAt: NOW - 3600,
  version: 1,
});

async function freshTable() {
  const dynamo = await startDynamoDBProcess();
  await ensureTable(dynamo.endpoint, 'bench');
  const db = DynamoDBDocumentClient.from(localClient(dynamo.endpoint), { marshallOptions: { removeUndefinedValues: true } });
  const counter = countItemsRead(db);

  const seed = async (links: Link[]) => {
    for (let i = 0; i < links.length; i += 25 * 16) {
      const slice = links.slice(i, i + 25 * 16);
      await Promise.all(
        Array.from({ length: Math.ceil(slice.length / 25) }, (_, b) =>
          db.send(
            new BatchWriteCommand({
              RequestItems: { bench: slice.slice(b * 25, b * 25 + 25).map((l) => ({ PutRequest: { Item: item(l) } })) },
            }),
          ),
        ),
      );
    }
  };
  return {
    db,
    seed,
    reads: counter.read,
    resetReads: counter.reset,
    close: async () => {
      db.destroy();
      await dynamo.close();
    },
  };
}

function job(db: DynamoDBDocumentClient, refresher: TokenRefresher = upstream) {
  const links = new DynamoLinkStore(db, 'bench');
  const linkRefresher = new LinkRefresher({
    links,
    upstreams: { usercenter: refresher },
    clock,
    policy: DEFAULT_POLICY,
    metrics: noMetrics,
    log: quiet,
  });
  return new RefreshJob({ links, refresher: linkRefresher, clock, log: quiet, settings: { concurrency: C, reserveMs: 0 } });
}
const forever = { requestId: 'bench', remainingMs: () => 900_000 };

// 1. Throughput: N links, all due.
console.log(`refresh throughput: N=${N} links all due, upstream latency L=${L} ms, concurrency C=${C}`);
const t = await freshTable();
await t.seed(Array.from({ length: N }, (_, i) => link(i, NOW - 60)));

// Baseline: the same C workers making only the upstream calls, no store at all.
let next = 0;
const baselineStart = performance.now();
await Promise.all(
  Array.from({ length: C }, async () => {
    while (next++ < N) await upstream.refresh('r');
  }),
);
const baselinePerS = N / ((performance.now() - baselineStart) / 1000);

const start = performance.now();
const report = await job(t.db).run(forever);
const seconds = (performance.now() - start) / 1000;
const perS = report.refreshed / seconds;
const ideal = C / (L / 1000);
await t.close();
console.log(`| measure | refreshed/s | ratio |
|---|---|---|
| ideal C/L | ${ideal.toFixed(0)} | 1.00 |
| baseline: upstream calls only, same C | ${baselinePerS.toFixed(0)} | ${(baselinePerS / ideal).toFixed(2)} of ideal |
| refresh job (lease, re-read, conditional write-back) | ${perS.toFixed(0)} | **${(perS / ideal).toFixed(2)} of ideal**, ${(perS / baselinePerS).toFixed(2)} of baseline |
(refreshed ${report.refreshed}, failed ${report.failed}, in ${seconds.toFixed(1)} s)
`);

// 2. Read cost as the table grows, at the same due count.
const DUE = 500;
const instant: TokenRefresher = {
  refresh: async () => ({ accessToken: randomUUID(), refreshToken: randomUUID(), expiresIn: 7200, extra: {} }),
};
const rows: string[] = [];
for (const total of [5_000, 50_000]) {
  const table = await freshTable();
  await table.seed(Array.from({ length: total }, (_, i) => link(i, i < DUE ? NOW - 60 : NOW + 3600 + i)));
  table.resetReads();
  const result = await job(table.db, instant).run(forever);
  rows.push(
    `| ${total.toLocaleString('en')} | ${DUE} | ${result.refreshed} | ${table.reads()} | ${(table.reads() / result.refreshed).toFixed(2)} |`,
  );
  await table.close();
}
console.log(`refresh read cost as the table grows (${DUE} due each time)
| links in table | due | refreshed | items read | items read per refreshed link |
|---|---|---|---|---|
${rows.join('\n')}
`);
upstreamServer.close();
