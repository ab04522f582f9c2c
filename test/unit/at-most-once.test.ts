/**
 * AtMostOnce's decisions, against a scripted ReplyStore: what a delivery does with each record it meets, and what
 * it keeps, gives back or leaves dispatched after each kind of failure. The DynamoDB adapter's own behaviour is
 * in test/adapters/reply-store.test.ts; the whole path under faults in test/integration/v2-at-most-once.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DeviceNotFoundError, DriverTimeoutError, ServerUnreachableError } from '../../functions/domain/errors.ts';
import type { MessageRecord, ReplyClaim, ReplyStore } from '../../functions/domain/ports.ts';
import { AtMostOnce, type Delivery, type OnceWork } from '../../functions/domain/v2/at-most-once.ts';

const NOW = 1_800_000_000;

function store(claims: ReplyClaim[], dispatchResult: boolean | Error = true) {
  const calls: string[] = [];
  const replies: ReplyStore = {
    claim: async () => {
      calls.push('claim');
      return claims.shift() ?? { state: 'claimed', claimId: 'c-1' };
    },
    dispatch: async () => {
      calls.push('dispatch');
      if (dispatchResult instanceof Error) throw dispatchResult;
      return dispatchResult;
    },
    save: async (_key, _claim, reply) => {
      calls.push(`save ${JSON.stringify(reply)}`);
    },
    release: async () => {
      calls.push('release');
    },
    read: async (): Promise<MessageRecord | undefined> => undefined,
  };
  return { replies, calls };
}

const delivery = (remainingMs = 2600): Delivery => ({
  key: 'k',
  fingerprint: 'fp',
  messageId: 'm-1',
  directive: 'Rokid.Control/Switch.On',
  endpointId: 'lamp',
  invocation: { requestId: 'r', remainingMs: () => remainingMs },
  deadline: { remainingMs: () => remainingMs },
});

function once(replies: ReplyStore) {
  const warnings: { text: string; details: Record<string, unknown> }[] = [];
  let unconfirmed = 0;
  const runner = new AtMostOnce({
    replies,
    clock: { now: () => NOW },
    log: { warn: (text, details) => warnings.push({ text, details }), info: () => undefined },
    metrics: { unconfirmedAnswer: () => unconfirmed++ },
    pollMs: 1,
  });
  return { runner, warnings, unconfirmedCount: () => unconfirmed };
}

/** Work that dispatches (unless told not to), then acts as `outcome` says. */
function work(outcome: () => unknown, options: { dispatchFirst?: boolean } = {}): OnceWork & { acted: number } {
  const w = {
    acted: 0,
    act: async (dispatch: () => Promise<void>) => {
      if (options.dispatchFirst !== false) await dispatch();
      w.acted++;
      return outcome();
    },
    unconfirmed: async () => ({ current: true }),
    replyFor: (error: unknown) => ({ error: (error as Error).message }),
  };
  return w;
}

describe('AtMostOnce', () => {
  it('claims with a lease that ends with the invocation', async () => {
    let leaseUntil = 0;
    const { replies } = store([]);
    replies.claim = async (_k, _f, _now, until) => {
      leaseUntil = until;
      return { state: 'claimed', claimId: 'c' };
    };
    await once(replies).runner.run(
      delivery(2600),
      work(() => 'ok'),
    );
    expect(leaseUntil).toBe(NOW + 3 + 1);
  });

  it('acts, marks dispatched first, and keeps the answer', async () => {
    const { replies, calls } = store([]);
    await expect(
      once(replies).runner.run(
        delivery(),
        work(() => 'done'),
      ),
    ).resolves.toBe('done');
    expect(calls).toEqual(['claim', 'dispatch', 'save "done"']);
  });

  it('a claim lost to a later delivery before dispatch: nothing acts, and the caller is told it is busy', async () => {
    const { replies, calls } = store([], false);
    const w = work(() => 'done');
    await expect(once(replies).runner.run(delivery(), w)).rejects.toMatchObject({
      v2Name: 'E_ENDPOINT_BUSY',
      message: 'Message m-1 is being handled by a later delivery of it. Ask again in a moment.',
    });
    expect(w.acted).toBe(0);
    expect(calls).toEqual(['claim', 'dispatch']);
  });

  it('dispatch failing (unknown whether written): the message is given back, and nothing acts', async () => {
    const { replies, calls } = store([], new Error('DynamoDB down'));
    const w = work(() => 'done');
    await expect(once(replies).runner.run(delivery(), w)).rejects.toThrow('DynamoDB down');
    expect(w.acted).toBe(0);
    expect(calls).toEqual(['claim', 'dispatch', 'release']);
  });

  it.each([
    ['a definite failure after dispatch (an error status)', new ServerUnreachableError('503'), ['claim', 'dispatch', 'release']],
    ['an ambiguous one (a timeout after sending)', new DriverTimeoutError('late', { mayHaveActed: true }), ['claim', 'dispatch']],
    ['an unexpected one', new TypeError('bug'), ['claim', 'dispatch']],
    ['a final refusal', new DeviceNotFoundError('gone'), ['claim', 'dispatch', 'save {"error":"gone"}']],
  ])('%s: %j', async (_case, error, expected) => {
    const { replies, calls } = store([]);
    const outcome = once(replies).runner.run(
      delivery(),
      work(() => {
        throw error;
      }),
    );
    if (expected.at(-1)!.startsWith('save')) await expect(outcome).resolves.toEqual({ error: 'gone' });
    else await expect(outcome).rejects.toBe(error);
    expect(calls).toEqual(expected);
  });

  it('an unexpected failure before dispatch gives the message back', async () => {
    const { replies, calls } = store([]);
    const w = work(
      () => {
        throw new TypeError('bug');
      },
      { dispatchFirst: false },
    );
    await expect(once(replies).runner.run(delivery(), w)).rejects.toThrow('bug');
    expect(calls).toEqual(['claim', 'release']);
  });

  it('an answer that cannot be kept is still given, and said in a warning', async () => {
    const { replies } = store([]);
    replies.save = async () => {
      throw Object.assign(new Error('x'), { name: 'InternalServerError' });
    };
    const { runner, warnings } = once(replies);
    await expect(
      runner.run(
        delivery(),
        work(() => 'done'),
      ),
    ).resolves.toBe('done');
    expect(warnings).toEqual([{ text: 'v2 answer not kept for resends', details: { messageId: 'm-1', errorName: 'InternalServerError' } }]);
  });

  it('meets a kept answer: gives it, and acts on nothing', async () => {
    const { replies } = store([{ state: 'answered', reply: 'first', fingerprint: 'fp' }]);
    const w = work(() => 'second');
    await expect(once(replies).runner.run(delivery(), w)).resolves.toBe('first');
    expect(w.acted).toBe(0);
  });

  it('meets a dispatched record whose invocation has ended: the current state, logged and counted as unconfirmed', async () => {
    const { replies } = store([{ state: 'dispatched', fingerprint: 'fp', leaseUntil: NOW }]);
    const w = work(() => 'second');
    const { runner, warnings, unconfirmedCount } = once(replies);
    await expect(runner.run(delivery(), w)).resolves.toEqual({ current: true });
    expect(w.acted).toBe(0);
    expect(warnings).toEqual([
      { text: 'v2 answer unconfirmed', details: { messageId: 'm-1', directive: 'Rokid.Control/Switch.On', endpointId: 'lamp' } },
    ]);
    expect(unconfirmedCount()).toBe(1);
  });

  it('meets a live claim or dispatch: waits for its answer, then is told the endpoint is busy', async () => {
    const live: ReplyClaim = { state: 'dispatched', fingerprint: 'fp', leaseUntil: NOW + 3 };
    const { replies } = store([live, live, { state: 'answered', reply: 'theirs', fingerprint: 'fp' }]);
    await expect(
      once(replies).runner.run(
        delivery(),
        work(() => 'mine'),
      ),
    ).resolves.toBe('theirs');
    const busy = store(Array(1000).fill(live));
    await expect(
      once(busy.replies).runner.run(
        delivery(1),
        work(() => 'mine'),
      ),
    ).rejects.toMatchObject({
      v2Name: 'E_ENDPOINT_BUSY',
      message: 'Message m-1 is already being handled by an earlier delivery, whose answer was not ready in time. Ask again in a moment.',
    });
  });

  it('meets the same messageId asking something else: refused, nothing acts', async () => {
    const { replies } = store([{ state: 'answered', reply: 'first', fingerprint: 'other' }]);
    await expect(
      once(replies).runner.run(
        delivery(),
        work(() => 'x'),
      ),
    ).rejects.toMatchObject({
      v2Name: 'E_INTERNAL_ERROR',
      message: 'messageId m-1 was used in the last 10 minutes for a different directive; send each message with a messageId of its own.',
    });
  });
});
