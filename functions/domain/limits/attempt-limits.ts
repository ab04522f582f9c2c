/**
 * Limits on failed sign-in attempts, kept in the store so they hold across Lambda instances. Three
 * counters, each over a window: failures for one username from one source IP (a guesser at one
 * account), for one username from anywhere (many guessers at one account, set high enough that one
 * stranger cannot lock a known phone number out), and from one IP for any username (one guesser at many
 * accounts; high, since Homebase calls from a handful of its own IPs and must never be locked out).
 * Usernames are stored only as an HMAC.
 */
import type { AttemptStore, Clock } from '../ports.ts';

export interface AttemptLimitSettings {
  perUserIp: number;
  perUser: number;
  perIp: number;
  windowS: number;
}

export interface Attempt {
  /** The name tried: a username, or seed 003's device_id. */
  subject: string;
  sourceIp: string;
}

export class AttemptLimits {
  readonly #store: AttemptStore;
  readonly #clock: Clock;
  readonly #settings: AttemptLimitSettings;
  readonly #hmac: (text: string) => Promise<string>;

  constructor(deps: { store: AttemptStore; clock: Clock; settings: AttemptLimitSettings; hmac: (text: string) => Promise<string> }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
    this.#hmac = deps.hmac;
  }

  /**
   * The verdict on one more attempt: `retryAt` once any counter has reached its limit, and whether the
   * username has failures on record, for `succeeded` to clear. Each flow words its own refusal.
   */
  async check(flow: string, attempt: Attempt): Promise<AttemptVerdict> {
    const now = this.#clock.now();
    const counters = await this.#counters(flow, attempt);
    const counts = await this.#store.counts(
      counters.map((c) => c.key),
      now,
    );
    const blocked = counts.flatMap((count, i) => (count && count.count >= counters[i]!.limit ? [count.resetAt] : []));
    // The first two counters are the username's.
    const failuresOnRecord = counts.slice(0, 2).some((count) => (count?.count ?? 0) > 0);
    if (blocked.length === 0) return { failuresOnRecord };
    const retryAt = Math.max(...blocked);
    return { failuresOnRecord, retryAt, refusal: tooMany(retryAt, now) };
  }

  /** Counts a failed attempt against each counter. */
  async failed(flow: string, attempt: Attempt): Promise<void> {
    const now = this.#clock.now();
    const counters = await this.#counters(flow, attempt);
    await Promise.all(counters.map((c) => this.#store.increment(c.key, now, this.#settings.windowS)));
  }

  /** A success clears its username's counters (when `check` found any); the IP's stays. */
  async succeeded(flow: string, attempt: Attempt, checked: { failuresOnRecord: boolean } = { failuresOnRecord: true }): Promise<void> {
    if (!checked.failuresOnRecord) return;
    const [userIp, user] = await this.#counters(flow, attempt);
    await Promise.all([userIp, user].map((c) => this.#store.reset(c!.key)));
  }

  async #counters(flow: string, { subject, sourceIp }: Attempt) {
    const who = await this.#hmac(`${flow}\u0000${subject.trim().toLowerCase()}`);
    const ip = await this.#hmac(`ip\u0000${sourceIp}`);
    return [
      { key: `${flow}#user-ip#${who}#${ip}`, limit: this.#settings.perUserIp },
      { key: `${flow}#user#${who}`, limit: this.#settings.perUser },
      { key: `${flow}#ip#${ip}`, limit: this.#settings.perIp },
    ];
  }
}

export interface AttemptVerdict {
  failuresOnRecord: boolean;
  /** Set when the attempt must be refused: when to try again, and a sentence saying so. */
  retryAt?: number;
  refusal?: string;
}

function tooMany(retryAt: number, now: number): string {
  const minutes = Math.max(1, Math.ceil((retryAt - now) / 60));
  const at = new Date(retryAt * 1000).toISOString().slice(11, 16);
  return `Too many failed sign-in attempts. Try again after ${at} UTC (in ${minutes} minute${minutes === 1 ? '' : 's'}).`;
}
