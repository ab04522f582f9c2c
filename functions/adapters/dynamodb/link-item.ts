/** A link as one item of the single table, and back: its keys, its place in the due index, its sealed credentials. */
import type { CredentialCipher, LinkHeader } from '../../domain/ports.ts';
import { nextVisitAt, retireAt } from '../../domain/refresh/schedule.ts';
import type { KeptPair, Link, UpstreamCredentials } from '../../domain/vault/link.ts';
import { atRest } from '../../domain/vault/refresh-family.ts';
import { isSealed } from '../crypto/envelope-cipher.ts';
import { DUE_INDEX, dueShard, keys, RETIRE_GRACE_S, TTL_ATTRIBUTE } from './table.ts';

/**
 * Layout 2 files a link in the due index under `nextVisitAt` (its refresh or its retirement), so the
 * index's sort key (`refreshDueAt`, fixed since the table was first deployed) no longer holds the link's
 * own refresh time: that moved to `refreshAt`. Items without `layout` are read as layout 1.
 */
const LAYOUT = 2;

/**
 * The stored item: the link, its keys, the TTL, and its place in the due index. The credentials'
 * tokens and extra fields are sealed under the link's id, with the driver tokens the last rotation
 * issued while its grace lasts (atRest); the credentials' expiry stays readable, for operators and the refresh job alike.
 */
export async function sealedItem(written: Link, cipher: CredentialCipher): Promise<Record<string, unknown>> {
  const link = atRest(written);
  const { accessToken, refreshToken, extra, expiresAt } = link.credentials;
  const { refreshDueAt, rotationIssued, ...fields } = link;
  const sealed = await cipher.seal(JSON.stringify({ accessToken, refreshToken, extra, rotationIssued }), link.linkId);
  return {
    ...keys.link(link.linkId),
    ...fields,
    layout: LAYOUT,
    ...(refreshDueAt === undefined ? {} : { refreshAt: refreshDueAt }),
    credentials: { ...(expiresAt === undefined ? {} : { expiresAt }), sealed },
    [TTL_ATTRIBUTE]: retireAt(link) + RETIRE_GRACE_S,
    [DUE_INDEX.partitionKey]: dueShard(link.linkId),
    [DUE_INDEX.sortKey]: nextVisitAt(link),
  };
}

/** The stored item as a header: every field as stored, and the credentials opened on demand, once. */
export function headerOf(stored: Record<string, unknown>, cipher: CredentialCipher): LinkHeader {
  const {
    pk: _pk,
    sk: _sk,
    [TTL_ATTRIBUTE]: _ttl,
    [DUE_INDEX.partitionKey]: _shard,
    [DUE_INDEX.sortKey]: filedAt,
    layout,
    refreshAt,
    credentials,
    ...fields
  } = stored;
  const refreshDueAt = layout === LAYOUT ? refreshAt : filedAt;
  if (refreshDueAt !== undefined) fields['refreshDueAt'] = refreshDueAt;
  const kept = credentials as Record<string, unknown>;
  let opened: Promise<UpstreamCredentials> | undefined;
  return {
    // Links written before refresh existed lack its bookkeeping; they start from a clean slate.
    refreshFailures: 0,
    lastRefreshedAt: fields['updatedAt'],
    ...fields,
    credentials: kept['expiresAt'] === undefined ? {} : { expiresAt: Number(kept['expiresAt']) },
    openCredentials: () => {
      opened ??= openSealed(kept, String(fields['linkId']), cipher).then((open) => open.credentials);
      return opened;
    },
  } as unknown as LinkHeader;
}

/** The whole link: the header, and the sealed part opened (the credentials, and the pair a rotation issued). */
export async function linkOf(stored: Record<string, unknown>, cipher: CredentialCipher): Promise<Link> {
  const { openCredentials: _unopened, ...header } = headerOf(stored, cipher);
  const { credentials, rotationIssued } = await openSealed(
    stored['credentials'] as Record<string, unknown>,
    String(stored['linkId']),
    cipher,
  );
  return { ...header, credentials, ...(rotationIssued ? { rotationIssued } : {}) };
}

async function openSealed(
  kept: Record<string, unknown>,
  linkId: string,
  cipher: CredentialCipher,
): Promise<{ credentials: UpstreamCredentials; rotationIssued: KeptPair | undefined }> {
  // A link written before encryption holds its credentials in clear; its next write seals them.
  if (!isSealed(kept['sealed'])) return { credentials: kept as unknown as UpstreamCredentials, rotationIssued: undefined };
  const { expiresAt } = kept;
  const { rotationIssued, ...credentials } = JSON.parse(await cipher.open(kept['sealed'], linkId));
  return { credentials: { ...credentials, ...(expiresAt === undefined ? {} : { expiresAt }) }, rotationIssued };
}
