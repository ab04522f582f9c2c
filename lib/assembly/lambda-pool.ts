/**
 * A function's execution environments as Lambda keeps them: a pool of them, each one process running one
 * invocation at a time (lambda-host.ts). An invocation goes to a free environment, or to a new one when all
 * are busy or one died. Each environment has endpoints of its own (`environmentFor`), so the stand-ins in
 * front of DynamoDB and the device cloud know whose call they serve, and can end that environment, and with
 * it only the invocation it was running, between any two of its calls.
 */
import { type EmittedMetric, type FunctionSpec, LambdaError, LambdaHost } from './lambda-host.ts';

export interface PoolWorker {
  readonly id: number;
  readonly host: LambdaHost;
  /** What the harness named the invocation running now (its tag), if any. */
  tag: string | undefined;
  /** Calls made so far by the invocation running now, counted by the stand-ins. */
  calls: number;
  /** Ended by `kill`: its calls are refused from then on, and it takes no more invocations. */
  dead: boolean;
}

export type PoolOutcome = { kind: 'answered'; result: unknown } | { kind: 'failed'; error: LambdaError } | { kind: 'killed' };

export class LambdaPool {
  readonly #spec: FunctionSpec;
  readonly #environmentFor: (workerId: number) => Promise<Record<string, string>>;
  readonly #workers = new Map<number, PoolWorker>();
  readonly #idle: PoolWorker[] = [];
  #next = 0;
  /** Environments started, kills made. */
  started = 0;
  kills = 0;

  constructor(spec: FunctionSpec, environmentFor: (workerId: number) => Promise<Record<string, string>>) {
    this.#spec = spec;
    this.#environmentFor = environmentFor;
  }

  worker(id: number): PoolWorker | undefined {
    return this.#workers.get(id);
  }

  /** Every line every environment wrote, in each one's order. */
  logs(): string[] {
    return [...this.#workers.values()].flatMap((worker) => worker.host.logs);
  }

  /** Every metric every environment emitted. */
  metrics(): EmittedMetric[] {
    return [...this.#workers.values()].flatMap((worker) => worker.host.metrics);
  }

  async invoke(event: unknown, tag: string): Promise<PoolOutcome> {
    const worker = this.#idle.pop() ?? (await this.#startWorker());
    worker.tag = tag;
    worker.calls = 0;
    try {
      return { kind: 'answered', result: await worker.host.invoke(event) };
    } catch (error) {
      if (worker.dead) return { kind: 'killed' };
      if (error instanceof LambdaError) return { kind: 'failed', error };
      throw error;
    } finally {
      worker.tag = undefined;
      if (!worker.dead) this.#idle.push(worker);
    }
  }

  /** SIGKILLs the worker's process: its invocation is lost, as when Lambda's environment dies under it. */
  kill(id: number): void {
    const worker = this.#workers.get(id);
    if (!worker || worker.dead) return;
    worker.dead = true;
    this.kills++;
    void worker.host.close();
  }

  async close(): Promise<void> {
    for (const worker of this.#workers.values()) await worker.host.close();
  }

  async #startWorker(): Promise<PoolWorker> {
    const id = this.#next++;
    const environment = { ...this.#spec.environment, ...(await this.#environmentFor(id)) };
    const worker: PoolWorker = { id, host: new LambdaHost({ ...this.#spec, environment }), tag: undefined, calls: 0, dead: false };
    this.#workers.set(id, worker);
    this.started++;
    return worker;
  }
}
