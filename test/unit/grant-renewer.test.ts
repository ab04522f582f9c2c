/**
 * The stateReports consumer's grant refresher, built on its first use (composition/state-reports.ts): once however
 * many deliveries renew at once, and a build that fails fails those renewals and is tried again by the next.
 */
import { describe, expect, it } from 'vitest';
import { renewerOnDemand } from '../../functions/composition/state-reports.ts';
import type { EventGrant } from '../../functions/domain/events/grant.ts';
import type { GrantRefreshRequest, GrantRenewer } from '../../functions/domain/events/ports.ts';

const grant = { key: 'g-1', status: 'active' } as EventGrant;
const request: GrantRefreshRequest = { owner: 'gateway-401:x', leaseS: 30, needed: () => true };

/** A renewer that records what it was asked: which build answered which call. */
function recordingRenewer(build: number, asked: string[]): GrantRenewer {
  return {
    refresh: async (key) => {
      asked.push(`refresh ${key} by build ${build}`);
      return { kind: 'gone' };
    },
    end: async (ended, reason) => {
      asked.push(`end ${ended.key} (${reason}) by build ${build}`);
    },
  };
}

/** A build the test lets finish (or fail) when it chooses, so that the calls race it. */
function gatedBuilds() {
  const asked: string[] = [];
  const gates: Array<{ open: () => void; fail: (error: Error) => void }> = [];
  let builds = 0;
  const build = () => {
    const number = ++builds;
    return new Promise<GrantRenewer>((resolve, reject) => {
      gates.push({ open: () => resolve(recordingRenewer(number, asked)), fail: reject });
    });
  };
  return { build, asked, gates, builds: () => builds };
}

describe('renewerOnDemand', () => {
  it('builds nothing until a renewal asks', () => {
    const { build, builds } = gatedBuilds();
    renewerOnDemand(build);
    expect(builds()).toBe(0);
  });

  it('two renewals racing the first build: one build, and both are answered by it', async () => {
    const { build, asked, gates, builds } = gatedBuilds();
    const renewer = renewerOnDemand(build);
    const first = renewer.refresh('g-1', request);
    const second = renewer.end(grant, 'gateway_forbidden');
    const third = renewer.refresh('g-2', request);
    expect(builds()).toBe(1);
    gates[0]!.open();
    expect(await first).toEqual({ kind: 'gone' });
    await second;
    expect(await third).toEqual({ kind: 'gone' });
    expect(asked.sort()).toEqual(['end g-1 (gateway_forbidden) by build 1', 'refresh g-1 by build 1', 'refresh g-2 by build 1']);
    // Later renewals reuse it.
    await renewer.refresh('g-3', request);
    expect(builds()).toBe(1);
    expect(asked).toContain('refresh g-3 by build 1');
  });

  it('a build that fails: every renewal waiting on it fails with its error, and the next renewal builds again', async () => {
    const { build, asked, gates, builds } = gatedBuilds();
    const renewer = renewerOnDemand(build);
    const first = renewer.refresh('g-1', request);
    const second = renewer.end(grant, 'gateway_forbidden');
    const failure = new Error('Cannot find module grant-renewal');
    gates[0]!.fail(failure);
    await expect(first).rejects.toBe(failure);
    await expect(second).rejects.toBe(failure);
    expect(asked).toEqual([]);
    const third = renewer.refresh('g-1', request);
    expect(builds()).toBe(2);
    gates[1]!.open();
    expect(await third).toEqual({ kind: 'gone' });
    expect(asked).toEqual(['refresh g-1 by build 2']);
  });
});
