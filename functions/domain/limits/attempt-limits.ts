/**
 * Sign-in throttling after OWASP's brute-force guidance: slow guessers down, never lock the real user out.
 *
 * - Each account has a record of its failures in a row. The first `freeFailures` cost nothing; after
 *   that, each one makes the next attempt wait twice as long as the last, from `delayBaseS` up to
 *   `delayCapS`. A success clears the record. Nobody is ever refused for longer than the cap.
 * - An attempt is counted before the password is checked (a reservation, one conditional write on one
 *   item), so guesses sent together pass no more than guesses sent one by one. A reservation is given
 *   back when the account service could not be reached: no answer, no guess.
 * - A browser that signed in before carries a device cookie (`deviceCookie`): its attempts are counted on
 *   a record of its own, so failures from elsewhere never slow it down (OWASP's device cookies).
 * - Where the address is the person's (the sign-in form, seed 003's token query), an address is also
 *   limited to `perIp` attempts per window, whatever the account: one guesser spraying many accounts.
 *   The `login` command skips it: every login arrives from Homebase's few addresses.
 *
 * Usernames, addresses and device ids are stored only as an HMAC.
 */
import { crypto } from '../../runtime/builtins.ts';
import type { AttemptStore, Clock, SignInMetrics, ThrottleRecord } from '../ports.ts';
import { sameSecret } from '../same-secret.ts';

const { randomBytes } = crypto;

export interface AttemptLimitSettings {
  freeFailures: number;
  delayBaseS: number;
  delayCapS: number;
  /** Failures in a row a trusted browser has free, on its own record. */
  deviceFailures: number;
  perIp: number;
  windowS: number;
}

export interface Attempt {
  /** The name tried: a username, or seed 003's device_id. */
  subject: string;
  sourceIp: string;
  /** Whether the source address is the person's own, and so limited too. */
  limitAddress: boolean;
  /** The device cookie the browser sent, if any. */
  deviceCookie?: string | undefined;
}

/**
 * An attempt that may go ahead. Once the outcome is known: `succeeded` when the credentials were right,
 * `release` when nobody checked them; wrong credentials call nothing, since the attempt is already counted.
 */
export interface Reservation {
  kind: 'reserved';
  /**
   * The credentials were right: the record is cleared. Answers a device cookie to give the browser, and
   * `done`, the clearing, for the caller to await before it answers (it may do its other work meanwhile).
   */
  succeeded(): Promise<{ deviceCookie: string; done: Promise<void> }>;
  /** Nobody checked them (the account service could not be reached): the attempt is given back. */
  release(): Promise<void>;
}

export interface Refusal {
  kind: 'refused';
  retryAt: number;
  refusal: string;
}

/** Concurrent reservations on one record take turns; past this many lost races an attempt is refused. */
const MAX_RACES = 12;

export class AttemptLimits {
  readonly #store: AttemptStore;
  readonly #clock: Clock;
  readonly #settings: AttemptLimitSettings;
  readonly #hmac: (text: string) => Promise<string>;
  readonly #metrics: SignInMetrics;

  constructor(deps: {
    store: AttemptStore;
    clock: Clock;
    settings: AttemptLimitSettings;
    hmac: (text: string) => Promise<string>;
    metrics: SignInMetrics;
  }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
    this.#hmac = deps.hmac;
    this.#metrics = deps.metrics;
  }

  /** How long the attempt after `failures` failures in a row must wait, in seconds. */
  delayAfter(failures: number, free = this.#settings.freeFailures): number {
    if (failures < free) return 0;
    return Math.min(this.#settings.delayCapS, this.#settings.delayBaseS * 2 ** (failures - free));
  }

  async reserve(flow: string, attempt: Attempt): Promise<Reservation | Refusal> {
    const who = await this.#hmac(`${flow}\u0000${attempt.subject.trim().toLowerCase()}`);
    const device = await this.#trustedDevice(flow, who, attempt.deviceCookie);
    const key = device ? `${flow}#device#${device}` : `${flow}#user#${who}`;
    const free = device ? this.#settings.deviceFailures : this.#settings.freeFailures;
    const taken = await this.#take(key, free);
    if (taken.kind === 'refused') return this.#refused(taken);

    let addressKey: string | undefined;
    if (attempt.limitAddress && !device) {
      addressKey = `${flow}#ip#${await this.#hmac(`ip\u0000${attempt.sourceIp}`)}`;
      const now = this.#clock.now();
      if (!(await this.#store.reserveInWindow(addressKey, this.#settings.perIp, now, this.#settings.windowS))) {
        await this.#giveBack(key, taken.record);
        const retryAt = now + this.#settings.windowS;
        return this.#refused({ kind: 'refused', retryAt, refusal: tooMany(retryAt, now) });
      }
    }
    const releaseAddress = async () => {
      if (addressKey) await this.#store.releaseInWindow(addressKey);
    };
    return {
      kind: 'reserved',
      succeeded: async () => {
        // The streak ends while the sign-in goes on: the caller awaits `done` before it answers.
        const done = Promise.all([this.#store.clear(key), releaseAddress()]).then(() => undefined);
        return { deviceCookie: await this.#mintDevice(flow, who), done };
      },
      release: async () => {
        await Promise.all([this.#giveBack(key, taken.record), releaseAddress()]);
      },
    };
  }

  /**
   * Counts one more attempt on the record, if its wait is over. Most sign-ins find no streak running, so
   * the first try is a single write that starts one only if none runs; otherwise a read, then a write
   * conditional on the version read.
   */
  async #take(key: string, free: number): Promise<{ kind: 'taken'; record: ThrottleRecord } | Refusal> {
    const expiresAt = () => this.#clock.now() + this.#settings.delayCapS + 86_400;
    const first = { failures: 1, openAt: this.#clock.now() + this.delayAfter(1, free), version: newVersion() };
    if (await this.#store.start(key, first, expiresAt())) return { kind: 'taken', record: first };
    for (let race = 0; race < MAX_RACES; race++) {
      const now = this.#clock.now();
      const current = (await this.#store.read(key)) ?? { failures: 0, openAt: 0, version: 0 };
      if (current.openAt > now) return { kind: 'refused', retryAt: current.openAt, refusal: tooMany(current.openAt, now) };
      const failures = current.failures + 1;
      const record = { failures, openAt: now + this.delayAfter(failures, free), version: newVersion() };
      if (await this.#store.write(key, record, current.version, expiresAt())) return { kind: 'taken', record };
    }
    // Another attempt at the same account won every race: this one is a guess too many at once.
    const retryAt = this.#clock.now() + 1;
    return { kind: 'refused', retryAt, refusal: tooMany(retryAt, retryAt - 1) };
  }

  /** Every refusal is counted (`sign_ins_throttled`): a rise is guessing in progress, or a real user locked out for a while. */
  #refused(refusal: Refusal): Refusal {
    this.#metrics.signInThrottled();
    return refusal;
  }

  /** Undoes a reservation, if nothing was counted on the record since; otherwise it stays, erring on the guesser's side. */
  async #giveBack(key: string, taken: ThrottleRecord): Promise<void> {
    const previous = Math.max(0, taken.failures - 1);
    const restored = { failures: previous, openAt: 0, version: newVersion() };
    await this.#store.write(key, restored, taken.version, this.#clock.now() + 86_400);
  }

  /** The device cookie's id when it is one this service issued for this subject and flow. */
  async #trustedDevice(flow: string, who: string, cookie: string | undefined): Promise<string | undefined> {
    const [version, id, mac] = cookie?.split('.') ?? [];
    if (version !== 'd1' || !id || !mac || id.length > 64) return undefined;
    const expected = await this.#hmac(`device\u0000${flow}\u0000${who}\u0000${id}`);
    return sameSecret(mac, expected) ? id : undefined;
  }

  async #mintDevice(flow: string, who: string): Promise<string> {
    const id = randomBytes(16).toString('base64url');
    return `d1.${id}.${await this.#hmac(`device\u0000${flow}\u0000${who}\u0000${id}`)}`;
  }
}

/** A random version for each write: compare-and-swap on it cannot be fooled by a record that came back to an old count. */
const newVersion = () => randomBytes(6).readUIntBE(0, 6) + 1;

function tooMany(retryAt: number, now: number): string {
  const seconds = Math.max(1, retryAt - now);
  const minutes = Math.ceil(seconds / 60);
  const wait = seconds < 60 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const at = new Date(retryAt * 1000).toISOString().slice(11, 19);
  return `Too many failed sign-in attempts. Try again after ${at} UTC (in ${wait}).`;
}
