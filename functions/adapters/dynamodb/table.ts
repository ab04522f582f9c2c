/**
 * The single table's layout, shared by the adapters, the local runner and the CDK stack so the three
 * cannot drift apart.
 *
 * | item            | pk                   | sk              |
 * |-----------------|----------------------|-----------------|
 * | link            | LINK#<linkId>        | LINK            |
 * | virtual device  | VCLOUD#<vendorUserId>| DEVICE#<id>     |
 * | virtual home    | VCLOUD#<vendorUserId>| HOME            |  (written once the demo home is complete)
 * | used OAuth state| AUTHZ#<sha256(state)>| USED            |  (until the state expires: it works once)
 * | driver code     | CODE#<sha256(code)>  | CODE            |  (5 minutes, used once)
 * | OAuth 2.0 code  | CODE#<sha256(code)>  | OAUTH2          |  (1 minute, used once)
 * | device token    | DEVTOKEN#<app>#<device>#<request> | TOKEN |  (seed 003, 5 minutes)
 * | v2 reply        | V2REPLY#<sha256(user, messageId)> | REPLY |  (10 minutes: a retried message gets it)
 * | event grant     | EVGRANT#<hashedKey(vendor user, label)> | GRANT |  (state reports; sealed; kept 30 days once ended)
 * | older grant     | GRANT#<rokidUserId>  | GRANT           |  (before grants were the vendor user's: migrated when read)
 * | seen event id   | EVENTSEEN#<hashedKey(user, id)> | SEEN |  (24 hours: the webhook drops a repeat)
 * | delivery place  | EVENTPOS#<hashedKey(grant, endpoint)> | POSITION |  (30 days: no interface goes backwards)
 *
 * The due index is sparse: only links carry `dueShard`, filed under the time the refresh job next has
 * work on them (a refresh, or retiring a link whose driver tokens expired: `nextVisitAt`). Its
 * partitions are `due#0` … `due#<shards-1>`, so the job's writes and reads spread over several
 * partitions instead of one hot key.
 *
 * Grants are filed in the same index, in partitions of their own (`grantdue#0` …), so neither the links'
 * reader nor the grants' ever reads the other's entries.
 *
 * The vendor-user index is sparse too: only links and grants carry `vendorUserId`. It answers "every link
 * of this vendor user", which revoking a user needs, and "every grant", which sending their events needs;
 * each reader keeps the items of its own prefix.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const DUE_INDEX = {
  indexName: 'due',
  partitionKey: 'dueShard',
  sortKey: 'refreshDueAt',
  /** Fixed: changing it would strand links in shards the job no longer reads. */
  shards: 8,
} as const;

export const VENDOR_USER_INDEX = {
  indexName: 'vendor-user',
  partitionKey: 'vendorUserId',
} as const;

/** A due-index partition by its number: the links' `due#<n>`, or the grants' `grantdue#<n>`. */
export const duePartition = (shard: number, of: 'links' | 'grants' = 'links'): string => `${of === 'grants' ? 'grant' : ''}due#${shard}`;

/** Ids are random, so a character sum spreads them evenly over the partitions. */
function shardOf(id: string): number {
  let sum = 0;
  for (let i = 0; i < id.length; i++) sum += id.charCodeAt(i);
  return sum % DUE_INDEX.shards;
}

/** The due-index partition of a link. */
export const dueShard = (linkId: string): string => duePartition(shardOf(linkId));

/** Epoch seconds after which DynamoDB may delete the item. DynamoDB deletes lazily, so readers check expiry themselves. */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * How long after its driver tokens expire a link may be deleted by the TTL. The refresh job retires it
 * first (revoking its upstream grant); the TTL is the backstop for a job that is not running.
 */
export const RETIRE_GRACE_S = 7 * 24 * 3600;

export const LINK_PREFIX = 'LINK#';
export const GRANT_PREFIX = 'EVGRANT#';
/** Grants kept under Rokid's userId alone, before they were the vendor user's (grant-store.ts migrates them). */
export const LEGACY_GRANT_PREFIX = 'GRANT#';

/** A grant's due-index partition: the links' scheme under a prefix of its own. */
export const grantDueShard = (key: string): string => duePartition(shardOf(key), 'grants');

/** The partition holding one vendor user's virtual devices and home marker. */
const virtualCloud = (vendorUserId: string) => `VCLOUD#${vendorUserId}`;

export const keys = {
  link: (linkId: string) => ({ pk: `${LINK_PREFIX}${linkId}`, sk: 'LINK' }),
  virtualCloud,
  virtualHome: (vendorUserId: string) => ({ pk: virtualCloud(vendorUserId), sk: 'HOME' }),
  virtualDevice: (vendorUserId: string, deviceId: string) => ({ pk: virtualCloud(vendorUserId), sk: `DEVICE#${deviceId}` }),
  /** The pending authorization itself travels sealed in its state; only its use is recorded. */
  usedState: (stateHash: string) => ({ pk: `AUTHZ#${stateHash}`, sk: 'USED' }),
  driverCode: (codeHash: string) => ({ pk: `CODE#${codeHash}`, sk: 'CODE' }),
  /** A different sort key from the command flow's codes: neither kind of code redeems as the other. */
  issuedCode: (codeHash: string) => ({ pk: `CODE#${codeHash}`, sk: 'OAUTH2' }),
  /** `key` is made of HMACs only: no username or address is stored in clear. */
  attempts: (key: string) => ({ pk: `ATTEMPT#${key}`, sk: 'COUNT' }),
  /** `key` is a hash: neither the user nor the messageId is stored in clear. */
  v2Reply: (key: string) => ({ pk: `V2REPLY#${key}`, sk: 'REPLY' }),
  grant: (key: string) => ({ pk: `${GRANT_PREFIX}${key}`, sk: 'GRANT' }),
  legacyGrant: (rokidUserId: string) => ({ pk: `${LEGACY_GRANT_PREFIX}${rokidUserId}`, sk: 'GRANT' }),
  /** `key` is a hash of the vendor user and the event id. */
  seenEvent: (key: string) => ({ pk: `EVENTSEEN#${key}`, sk: 'SEEN' }),
  /** `position` is a hash of the grant's key and the endpoint (grant-delivery.ts's positionKey). */
  deliveryPosition: (position: string) => ({ pk: `EVENTPOS#${position}`, sk: 'POSITION' }),
  deviceToken: (appId: string, deviceId: string, requestId: string) => ({
    pk: `DEVTOKEN#${[appId, deviceId, requestId].map(encodeURIComponent).join('#')}`,
    sk: 'TOKEN',
  }),
};

export const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** For a conditional write whose losing the race is an answer, not a failure: anything else is thrown on. */
export const ignoreConditionFailure = (error: unknown): void => {
  if (!isConditionFailure(error)) throw error;
};
