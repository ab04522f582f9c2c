/**
 * `npm run bench:busy`: 50 actions sent at once to one virtual device, as a voice user saying several things
 * in quick succession would, with the budget the deployed /execute has (2.5 s each). The embedded DynamoDB
 * runs in a process of its own. Five rounds; the goal is on the worst of them. Exits non-zero when it misses.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { VirtualDeviceCloud } from '../../functions/adapters/device-cloud/virtual/virtual-cloud.ts';
import { ensureTable, localClient } from '../../lib/local/dynamodb.ts';
import { startDynamoDBProcess } from './dynamodb-process.ts';
import { goal, settle } from './goals.ts';
import { readBenchArgs } from './usage.ts';

readBenchArgs(`usage: npm run bench:busy

Sends 50 actions at once to one virtual device, five rounds, with the deployed 2.5 s budget per action, and
checks that at least 45 of each round are applied and none is lost; exits 1 when a goal is missed.`);

const ROUNDS = 5;
const AT_ONCE = 50;
const dynamo = await startDynamoDBProcess();
await ensureTable(dynamo.endpoint, 'busy-bench');
const db = DynamoDBDocumentClient.from(localClient(dynamo.endpoint));
const results: { applied: number; lost: number; ms: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const session = { vendorUserId: `busy-${round}`, credentials: async () => ({ accessToken: 'unused' }) };
  const cloud = () => new VirtualDeviceCloud(db, 'busy-bench');
  const tv = (await cloud().list(session)).find((device) => device.type === 'tv')!;
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: AT_ONCE }, () => cloud().execute(session, tv.deviceId, { property: 'channel', name: 'next' })),
  );
  const ms = performance.now() - started;
  const applied = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  const channel = Number((await cloud().get(session, tv.deviceId))?.state['channel']);
  // Each applied action moved the channel on once from 1: anything else is an update lost or doubled.
  results.push({ applied, lost: Math.abs(channel - 1 - applied), ms });
  console.log(`round ${round + 1}: ${applied} of ${AT_ONCE} applied in ${Math.round(ms)} ms, channel ${channel}`);
}
db.destroy();
await dynamo.close();
goal(
  `actions applied of ${AT_ONCE} sent at once to one device (worst of ${ROUNDS} rounds)`,
  Math.min(...results.map((r) => r.applied)),
  'min',
  45,
  'actions',
);
goal(
  'actions lost or applied twice (all rounds)',
  results.reduce((sum, r) => sum + r.lost, 0),
  'max',
  0,
  'actions',
);
settle('Concurrent actions on one device (npm run bench:busy)');
