/**
 * The event records on DynamoDB (dynalite): a claim whose conditional write was applied but whose answer was lost,
 * so that the SDK sent it again, recognises its own write by its claim id: no false "in flight" (the webhook's 409),
 * no false "busy", and no claim left dangling.
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryPositions, DynamoSeenEvents } from '../../functions/adapters/dynamodb/event-records.ts';
import { documentClientAt, testTable } from '../support/dynamodb.ts';
import { type DynamoFaults, firstCalls, startDynamoFaults } from '../support/dynamodb-faults.ts';

let table: Awaited<ReturnType<typeof testTable>>;
let faults: DynamoFaults;
/** The records' client, through the proxy that loses answers: the SDK's own retry sends the applied write again. */
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  table = await testTable('event-records');
  faults = await startDynamoFaults();
  faults.target = table.endpoint;
  db = documentClientAt(faults.url);
});
afterAll(async () => {
  db.destroy();
  await faults.close();
  await table.close();
});
const loseNext = (operation: string) => {
  faults.rule = firstCalls((call) => call.operation === operation, 'lose-answer');
};
const lost = (operation: string) => faults.injected.filter((i) => i.operation === operation && i.fault === 'lose-answer').length;
/** Runs `act` with the answer of its first `operation` lost (applied, then the SDK retries), and checks one was. */
async function withLostAnswer<T>(operation: string, act: () => Promise<T>): Promise<T> {
  const before = lost(operation);
  loseNext(operation);
  const result = await act();
  expect(lost(operation)).toBe(before + 1);
  return result;
}

const NOW = 1_800_000_000;
const itemOf = async (pk: string, sk: string) =>
  (await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

describe('a seen-event claim whose answer was lost', () => {
  it('is this request’s: new, with the claim id written, and it is marked queued', async () => {
    const seen = new DynamoSeenEvents(db, table.tableName);
    const claim = await withLostAnswer('PutItem', () => seen.claim('k-1', NOW, NOW + 60));
    expect(claim).toEqual({ kind: 'new', claimId: expect.any(String) });
    const claimId = (claim as { claimId: string }).claimId;
    expect(await itemOf('EVENTSEEN#k-1', 'SEEN')).toMatchObject({ status: 'claimed', claimId });
    await seen.queued('k-1', claimId, NOW + 86_400);
    expect(await itemOf('EVENTSEEN#k-1', 'SEEN')).toMatchObject({ status: 'queued' });
    // Someone else's claim is still told apart.
    await expect(seen.claim('k-1', NOW + 1, NOW + 61)).resolves.toEqual({ kind: 'seen' });
  });
});

describe('a delivery position claim whose answer was lost', () => {
  it('is this delivery’s: claimed, and given back it frees the endpoint', async () => {
    const positions = new DynamoDeliveryPositions(db, table.tableName);
    const claim = await withLostAnswer('UpdateItem', () => positions.claim('p-1', NOW, NOW + 30));
    expect(claim).toEqual({ kind: 'claimed', claimId: expect.any(String), position: { orders: {}, delivered: {}, sent: {} } });
    await expect(positions.claim('p-1', NOW + 1, NOW + 31)).resolves.toEqual({
      kind: 'busy',
      until: NOW + 30,
      position: { orders: {}, delivered: {}, sent: {} },
    });
    await positions.release('p-1', (claim as { claimId: string }).claimId);
    await expect(positions.claim('p-1', NOW + 2, NOW + 32)).resolves.toMatchObject({ kind: 'claimed' });
  });
});

describe('a position a Control recorded before any delivery', () => {
  it('is free to claim: the last-sent states it holds are no claim', async () => {
    faults.rule = () => 'pass';
    const positions = new DynamoDeliveryPositions(db, table.tableName);
    const switchOn = { interface: 'Switch', value: 'On', timeOfSample: '2026-12-06T00:00:00.000Z' };
    await positions.recordSent('control-first', { Switch: switchOn }, 1_800_000_000);
    // Before the fix, the item had no claimUntil, the claim's condition failed, and every delivery met "busy".
    const claim = await positions.claim('control-first', 1_800_000_001, 1_800_000_031);
    expect(claim).toMatchObject({ kind: 'claimed' });
  });
});
