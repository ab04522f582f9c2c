/**
 * A fault run that stops making progress fails, saying where, rather than hanging: `guard` runs the work and
 * rejects once the fingerprint (what was sent, acknowledged, delivered, still queued) has not changed for
 * `stallMs`. The work itself is not cancelled; the caller's cleanup ends the processes it runs on.
 */
export class Watchdog {
  readonly #stallMs: number;
  readonly #fingerprint: () => string;
  readonly #describe: () => string;
  #timer: NodeJS.Timeout | undefined;

  constructor(stallMs: number, fingerprint: () => string, describe: () => string) {
    this.#stallMs = stallMs;
    this.#fingerprint = fingerprint;
    this.#describe = describe;
  }

  async guard<T>(work: () => Promise<T>): Promise<T> {
    let last = this.#fingerprint();
    let changedAt = Date.now();
    const stalled = new Promise<never>((_, reject) => {
      this.#timer = setInterval(
        () => {
          const now = this.#fingerprint();
          if (now !== last) {
            last = now;
            changedAt = Date.now();
          } else if (Date.now() - changedAt >= this.#stallMs) {
            this.stop();
            reject(new Error(`The fault run stalled: no progress for ${Math.round(this.#stallMs / 1000)} s (${this.#describe()})`));
          }
        },
        Math.min(1000, this.#stallMs / 4),
      );
    });
    try {
      return await Promise.race([work(), stalled]);
    } finally {
      this.stop();
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
