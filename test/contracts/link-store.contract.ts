/**
 * What every LinkStore must do, whatever holds the links. link-store.test.ts runs it against the
 * in-memory store the domain tests use and against DynamoDB (dynalite), so the two cannot drift.
 */
import { describe, expect, it } from 'vitest';
import type { LinkHeader, LinkStore } from '../../functions/domain/ports.ts';
import type { Link } from '../../functions/domain/vault/link.ts';

let next = 0;
export const aLink = (overrides: Partial<Link> = {}): Link => ({
  linkId: `contract-${process.pid}-${next++}`,
  vendorUserId: 'u1',
  upstream: 'usercenter',
  credentials: { accessToken: 'a', refreshToken: 'r', expiresAt: 2000, extra: { scope: 'x', mac_key: 'k' } },
  status: 'active',
  refreshDueAt: 1400,
  userTokenHash: 'h1',
  userTokenExpiresAt: 3000,
  refreshTokenHash: 'h2',
  refreshTokenExpiresAt: 5000,
  lastRefreshedAt: 1000,
  refreshFailures: 0,
  createdAt: 1000,
  updatedAt: 1000,
  version: 1,
  ...overrides,
});

async function all(ids: AsyncIterable<string>): Promise<string[]> {
  const found: string[] = [];
  for await (const id of ids) found.push(id);
  return found;
}

export function linkStoreContract(name: string, store: () => LinkStore) {
  describe(`LinkStore contract: ${name}`, () => {
    it('round-trips a link, every field as written', async () => {
      const link = aLink();
      await store().create(link);
      await expect(store().get(link.linkId)).resolves.toEqual(link);
    });

    it('answers undefined for an unknown link', async () => {
      await expect(store().get('no-such-link')).resolves.toBeUndefined();
      await expect(store().header('no-such-link')).resolves.toBeUndefined();
    });

    it('reads a header: every field but the credentials, whose expiry shows and whose rest opens on demand', async () => {
      const link = aLink();
      await store().create(link);
      const { credentials, ...rest } = link;
      const header = await store().header(link.linkId);
      expect(header).toMatchObject({ ...rest, credentials: { expiresAt: credentials.expiresAt } });
      expect(header?.credentials).not.toHaveProperty('accessToken');
      await expect(header?.openCredentials()).resolves.toEqual(credentials);
    });

    it('keeps the pair a rotation issued and the spent hashes as written while they last, the pair with its grace end', async () => {
      const rotationIssued = { userToken: 'hbu.x.u', refreshToken: 'hbr.x.r', until: 1060 };
      const spentRefreshTokens = [
        { hash: 's1', expiresAt: 1001 },
        { hash: 's2', expiresAt: 4000 },
      ];
      const link = aLink({ rotationIssued, spentRefreshTokens, refreshRotatedAt: 1000, previousRefreshTokenHash: 's2', updatedAt: 1000 });
      await store().create(link);
      await expect(store().get(link.linkId)).resolves.toEqual(link);
      const within = { ...link, updatedAt: 1060, version: 2 };
      expect(await store().update(within)).toBe(true);
      await expect(store().get(link.linkId)).resolves.toEqual({ ...within, spentRefreshTokens: [{ hash: 's2', expiresAt: 4000 }] });
    });

    it('drops the kept pair from any write made after its grace, or to a link no longer active, and a legacy pair after 60 s', async () => {
      const rotationIssued = { userToken: 'hbu.x.u', refreshToken: 'hbr.x.r', until: 1060 };
      const link = aLink({ rotationIssued, refreshRotatedAt: 1000, updatedAt: 1000 });
      await store().create(link);
      expect(await store().update({ ...link, updatedAt: 1061, version: 2 })).toBe(true);
      await expect(store().get(link.linkId)).resolves.not.toHaveProperty('rotationIssued');
      const revoked = aLink({ rotationIssued, refreshRotatedAt: 1000, updatedAt: 1000 });
      await store().create(revoked);
      expect(await store().update({ ...revoked, status: 'revoked', updatedAt: 1001, version: 2 })).toBe(true);
      await expect(store().get(revoked.linkId)).resolves.not.toHaveProperty('rotationIssued');
      const legacy = aLink({ rotationIssued: { userToken: 'hbu.x.u', refreshToken: 'hbr.x.r' }, refreshRotatedAt: 1000, updatedAt: 1000 });
      await store().create(legacy);
      expect(await store().update({ ...legacy, updatedAt: 1060, version: 2 })).toBe(true);
      await expect(store().get(legacy.linkId)).resolves.toHaveProperty('rotationIssued');
      expect(await store().update({ ...legacy, updatedAt: 1061, version: 3 })).toBe(true);
      await expect(store().get(legacy.linkId)).resolves.not.toHaveProperty('rotationIssued');
    });

    it('never overwrites an existing link on create', async () => {
      const link = aLink();
      await store().create(link);
      await expect(store().create({ ...link, vendorUserId: 'intruder' })).rejects.toThrow();
      await expect(store().get(link.linkId)).resolves.toMatchObject({ vendorUserId: 'u1' });
    });

    it('updates only from the version it read', async () => {
      const link = aLink();
      await store().create(link);
      await expect(store().update({ ...link, vendorUserId: 'stale', version: 3 })).resolves.toBe(false);
      await expect(store().update({ ...link, status: 'needs_relink', version: 2 })).resolves.toBe(true);
      await expect(store().update({ ...link, status: 'active', version: 2 })).resolves.toBe(false);
      await expect(store().get(link.linkId)).resolves.toMatchObject({ status: 'needs_relink', version: 2 });
    });

    it('hands a lease to one holder at a time, until it expires, and lets only the holder write under it', async () => {
      const link = aLink();
      await store().create(link);
      const leased = await store().acquireLease(link.linkId, { owner: 'a', expiresAt: 1100 }, 1000);
      expect(leased).toMatchObject({ linkId: link.linkId, leaseOwner: 'a', leaseExpiresAt: 1100 });
      await expect(store().acquireLease(link.linkId, { owner: 'b', expiresAt: 1200 }, 1099)).resolves.toBeUndefined();
      await expect(store().update({ ...leased!, version: 2 }, { leaseOwner: 'b' })).resolves.toBe(false);
      // At the second it expires, the lease can be taken over.
      await expect(store().acquireLease(link.linkId, { owner: 'b', expiresAt: 1300 }, 1100)).resolves.toMatchObject({ leaseOwner: 'b' });
      await expect(store().update({ ...leased!, version: 2 }, { leaseOwner: 'a' })).resolves.toBe(false);
      await expect(store().acquireLease('no-such-link', { owner: 'c', expiresAt: 1300 }, 1000)).resolves.toBeUndefined();
    });

    it('renews a live lease for its holder asking again (a retried write whose answer was lost), for no one else', async () => {
      const link = aLink();
      await store().create(link);
      await store().acquireLease(link.linkId, { owner: 'a', expiresAt: 1100 }, 1000);
      await expect(store().acquireLease(link.linkId, { owner: 'a', expiresAt: 1150 }, 1050)).resolves.toMatchObject({
        leaseOwner: 'a',
        leaseExpiresAt: 1150,
      });
      await expect(store().acquireLease(link.linkId, { owner: 'b', expiresAt: 1200 }, 1100)).resolves.toBeUndefined();
    });

    it('releases a lease for its holder only', async () => {
      const link = aLink();
      await store().create(link);
      await store().acquireLease(link.linkId, { owner: 'a', expiresAt: 1100 }, 1000);
      await store().releaseLease(link.linkId, 'b');
      await expect(store().acquireLease(link.linkId, { owner: 'b', expiresAt: 1100 }, 1000)).resolves.toBeUndefined();
      await store().releaseLease(link.linkId, 'a');
      await expect(store().acquireLease(link.linkId, { owner: 'b', expiresAt: 1100 }, 1000)).resolves.toMatchObject({ leaseOwner: 'b' });
    });

    it('lists as due exactly the active links due by the time asked, edge included', async () => {
      const lasting = { userTokenExpiresAt: 900_000, refreshTokenExpiresAt: 900_000 };
      const due = aLink({ ...lasting, refreshDueAt: 50_000 });
      const later = aLink({ ...lasting, refreshDueAt: 50_001 });
      const relink = aLink({ ...lasting, status: 'needs_relink', refreshDueAt: 40_000 });
      const never = aLink({ ...lasting, credentials: { accessToken: 'a', extra: {} } });
      delete never.refreshDueAt;
      for (const link of [due, later, relink, never]) await store().create(link);
      const ids = await all(store().due(50_000));
      expect(ids).toContain(due.linkId);
      expect(ids).not.toContain(later.linkId);
      expect(ids).not.toContain(relink.linkId);
      expect(ids).not.toContain(never.linkId);
    });

    it('lists a link as due once its driver tokens have all expired, whatever its status, to retire it', async () => {
      const expiring = { userTokenExpiresAt: 70_000, refreshTokenExpiresAt: 80_000, refreshDueAt: 95_000 };
      const active = aLink(expiring);
      const relink = aLink({ ...expiring, status: 'needs_relink' });
      for (const link of [active, relink]) await store().create(link);
      expect(await all(store().due(79_999))).not.toContain(active.linkId);
      const ids = await all(store().due(80_000));
      expect(ids).toContain(active.linkId);
      expect(ids).toContain(relink.linkId);
    });

    it('lists a revoked link as due at its retry time, or at once without one', async () => {
      const retry = aLink({ status: 'revoked', refreshDueAt: 61_000, updatedAt: 10, userTokenExpiresAt: 900_000 });
      const now = aLink({ status: 'revoked', updatedAt: 62_000, userTokenExpiresAt: 900_000 });
      delete now.refreshDueAt;
      for (const link of [retry, now]) await store().create(link);
      expect(await all(store().due(60_999))).not.toContain(retry.linkId);
      expect(await all(store().due(61_000))).toContain(retry.linkId);
      expect(await all(store().due(61_999))).not.toContain(now.linkId);
      expect(await all(store().due(62_000))).toContain(now.linkId);
    });

    it('drops a link from the due list once an update makes it not due', async () => {
      const link = aLink({ refreshDueAt: 60_000, userTokenExpiresAt: 900_000 });
      await store().create(link);
      await store().update({ ...link, refreshDueAt: 90_000, version: 2 });
      expect(await all(store().due(60_000))).not.toContain(link.linkId);
    });

    it('deletes a link only at the version given', async () => {
      const link = aLink();
      await store().create(link);
      await expect(store().delete(link.linkId, 2)).resolves.toBe(false);
      await expect(store().get(link.linkId)).resolves.toBeDefined();
      await expect(store().delete(link.linkId, 1)).resolves.toBe(true);
      await expect(store().get(link.linkId)).resolves.toBeUndefined();
      await expect(store().delete(link.linkId, 1)).resolves.toBe(false);
    });

    it("finds every link of a vendor user, whatever its status, and no one else's", async () => {
      const user = `vendor-${process.pid}-${next}`;
      const mine = [aLink({ vendorUserId: user }), aLink({ vendorUserId: user, status: 'needs_relink' })];
      const theirs = aLink({ vendorUserId: `${user}-other` });
      for (const link of [...mine, theirs]) await store().create(link);
      expect((await store().ofVendorUser(user)).sort()).toEqual(mine.map((l) => l.linkId).sort());
      await expect(store().ofVendorUser('nobody-at-all')).resolves.toEqual([]);
    });

    it('lists every link as a header, credentials sealed until opened', async () => {
      const link = aLink();
      await store().create(link);
      const headers: LinkHeader[] = [];
      for await (const header of store().all()) headers.push(header);
      const found = headers.find((h) => h.linkId === link.linkId);
      expect(found).toMatchObject({ vendorUserId: link.vendorUserId, status: 'active' });
      expect(found?.credentials).not.toHaveProperty('accessToken');
      await expect(found?.openCredentials()).resolves.toEqual(link.credentials);
      expect(headers.every((h) => typeof h.linkId === 'string' && h.linkId !== '')).toBe(true);
    });
  });
}
