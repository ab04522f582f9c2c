/**
 * The event records on DynamoDB (dynalite): a claim whose conditional write was applied but whose answer was lost,
 * so that the SDK sent it again, recognises its own write by its claim id: no false "in flight" (the webhook's 409),
 * no false "busy", and no claim left dangling.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryPositions, DynamoSeenEvents } from '../../functions/adapters/dynamodb/event-records.ts';
import { testTable } from '../support/dynamodb.ts';
import { loseAnswers } from '../support/lost-answers.ts';

let table: Awaited<ReturnType<typeof testTable>>;
let lose: ReturnType<typeof loseAnswers>;
beforeAll(async () => {
  table = await testTable('event-records');
  lose = loseAnswers(table.db);
});
afterAll(() => table.close());

const NOW = 1_800_000_000;
const itemOf = async (pk: string, sk: string) =>
  (await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

describe('a seen-event claim whose answer was lost', () => {
  it('is this request’s: new, with the claim id written, and it is marked queued', async () => {
    const seen = new DynamoSeenEvents(table.db, table.tableName);
    const lostBefore = lose.lost();
    lose.next('PutItemCommand');
    const claim = await seen.claim('k-1', NOW, NOW + 60);
    expect(lose.lost()).toBe(lostBefore + 1);
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
    const positions = new DynamoDeliveryPositions(table.db, table.tableName);
    const lostBefore = lose.lost();
    lose.next('UpdateItemCommand');
    const claim = await positions.claim('p-1', NOW, NOW + 30);
    expect(lose.lost()).toBe(lostBefore + 1);
    expect(claim).toEqual({ kind: 'claimed', claimId: expect.any(String), position: { orders: {}, sent: {} } });
    await expect(positions.claim('p-1', NOW + 1, NOW + 31)).resolves.toEqual({ kind: 'busy' });
    await positions.release('p-1', (claim as { claimId: string }).claimId);
    await expect(positions.claim('p-1', NOW + 2, NOW + 32)).resolves.toMatchObject({ kind: 'claimed' });
  });
});
