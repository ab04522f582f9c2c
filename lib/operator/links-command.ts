/**
 * `npm run links -- list|show|revoke`: the operator's view of the links, and the way to end them.
 * It never prints a token: only ids, statuses and times.
 */
import { parseArgs } from 'node:util';
import { linkRevoker } from '../../functions/composition/link-revoker.ts';
import { tableOf } from '../../functions/composition/table.ts';
import { type ConfigInput, readConfig } from '../../functions/config.ts';
import type { LinkHeader } from '../../functions/domain/ports.ts';
import { retireAt } from '../../functions/domain/refresh/schedule.ts';
import type { RevocationOutcome } from '../../functions/domain/revocation/link-revoker.ts';
import { readRuntime } from '../local/runtime-file.ts';

export interface LinksIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
}

export const USAGE = `usage: npm run links -- <command> [--table NAME] [--json]

  list              every link: its vendor user, upstream, status and how long it lasts
  show <userId>     the links of one vendor user, in detail
  revoke <userId>   end every link of that vendor user: its driver tokens at once, then the
                    upstream grant (RFC 7009 or UserCenter's destroyToken), then the stored credentials

Without --table it works on the running npm start (DATA_DIR, default .data). With --table NAME it
works on a deployed table, with AWS credentials, the region and the driver's settings from the
environment (docs/operations.md shows how to take them from the refresh function).`;

/** Answers the exit code: 0 done, 1 something was not (no such user, a failed revocation), 2 usage or setup. */
export async function runLinks(argv: string[], io: LinksIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { command, userId, table, json } = parsed;
  if (command === 'help') {
    io.out(USAGE);
    return 0;
  }
  const settings = await settingsFor(table, io);
  if (typeof settings === 'string') {
    io.err(settings);
    return 2;
  }
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig(settings);
  } catch (error) {
    io.err(`The driver's settings are not valid: ${(error as Error).message}`);
    return 2;
  }
  const stored = tableOf(config);
  const { links } = stored;
  const print = (value: unknown, text: () => string[]) => {
    if (json) io.out(JSON.stringify(value, null, 2));
    else for (const line of text()) io.out(line);
  };

  if (command === 'list') {
    const rows: LinkHeader[] = [];
    for await (const header of links.all()) rows.push(header);
    rows.sort((a, b) => a.createdAt - b.createdAt || a.linkId.localeCompare(b.linkId));
    print(rows.map(summary), () => (rows.length === 0 ? ['No links.'] : table_(rows.map(summary))));
    return 0;
  }

  const ids = await links.ofVendorUser(userId);
  if (ids.length === 0) {
    io.err(`No links for vendor user ${userId}.`);
    return 1;
  }
  if (command === 'show') {
    // Oldest first, as `list` orders them, so two runs print the same links in the same order.
    const headers = (await Promise.all(ids.map((id) => links.header(id))))
      .filter((h) => h !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt || a.linkId.localeCompare(b.linkId));
    print(headers.map(detail), () => headers.flatMap((h) => [...Object.entries(detail(h)).map(([k, v]) => `${k.padEnd(22)} ${v}`), '']));
    return 0;
  }

  const outcomes = await linkRevoker(config, stored).revokeVendorUser(userId, 'operator');
  print(outcomes, () => outcomes.map(describeOutcome));
  return outcomes.some((o) => o.kind === 'upstream_failed') ? 1 : 0;
}

function parse(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { table: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, userId, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help')
    return { command: 'help' as const, userId: '', table: undefined, json: false };
  if (command !== 'list' && command !== 'show' && command !== 'revoke') throw new Error(`Unknown command "${command}".`);
  if (command === 'list' ? userId !== undefined : userId === undefined || userId === '') {
    throw new Error(command === 'list' ? 'list takes no user id.' : `${command} needs the vendor user id.`);
  }
  if (rest.length > 0) throw new Error(`Unexpected "${rest.join(' ')}".`);
  return { command, userId: userId ?? '', table: values.table, json: values.json ?? false };
}

/** A deployed table's settings come from the environment; the local one's from the running npm start. */
async function settingsFor(table: string | undefined, io: LinksIo): Promise<ConfigInput | string> {
  if (table !== undefined) {
    if (table === '') return 'The --table name is empty.';
    return { ...(io.env as ConfigInput), TABLE_NAME: table };
  }
  const dataDir = io.env['DATA_DIR'] ?? '.data';
  const running = await readRuntime(dataDir);
  if (!running) {
    return `No npm start is running on ${dataDir}. The local links live in its embedded DynamoDB, and revoking needs its local account services: start it (npm start), or name a deployed table with --table.`;
  }
  // The SDK finds the embedded engine where the running driver's handlers do.
  process.env['AWS_ENDPOINT_URL_DYNAMODB'] = running.dynamoEndpoint;
  process.env['AWS_REGION'] ??= 'local';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
  return running.settings;
}

const at = (seconds: number | undefined): string => (seconds === undefined ? '-' : new Date(seconds * 1000).toISOString());

const summary = (h: LinkHeader) => ({
  linkId: h.linkId,
  vendorUserId: h.vendorUserId,
  upstream: h.upstream,
  status: h.status,
  linkedAt: at(h.createdAt),
  usableUntil: at(retireAt(h)),
});

const detail = (h: LinkHeader) => ({
  ...summary(h),
  userTokenExpiresAt: at(h.userTokenExpiresAt),
  refreshTokenExpiresAt: at(h.refreshTokenExpiresAt),
  upstreamTokenExpiresAt: at(h.credentials.expiresAt),
  lastRefreshedAt: at(h.lastRefreshedAt),
  nextRefreshAt: at(h.refreshDueAt),
  refreshFailures: h.refreshFailures,
  // When the driver's refresh token last rotated, and how many spent ones the link remembers (docs/operations.md).
  lastRotatedAt: at(h.refreshRotatedAt),
  spentRefreshTokens: h.spentRefreshTokens?.length ?? 0,
});

function table_(rows: Record<string, string>[]): string[] {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c]))))];
}

function describeOutcome(outcome: RevocationOutcome): string {
  switch (outcome.kind) {
    case 'revoked':
      return `✓ ${outcome.linkId} revoked: ${outcome.upstream === 'revoked' ? 'the upstream grant too' : 'the upstream offers no revocation, so its grant is left to expire'}`;
    case 'upstream_failed':
      return `✗ ${outcome.linkId}: its driver tokens are ended, but the upstream could not revoke its grant (${outcome.reason}). The refresh job tries again; or run this again later.`;
    case 'gone':
      return `– ${outcome.linkId} was already gone`;
  }
}
