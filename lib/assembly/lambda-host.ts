/**
 * A Lambda function of the assembly, run as the service runs it: a Node process of its own (one warm
 * execution environment), started from the function's asset with the handler, timeout, memory and
 * environment the template gives, and nothing inherited from the harness's own environment. What the
 * process writes is read as Lambda's log stream: every line kept, and the embedded-metric-format lines
 * parsed into the metrics CloudWatch would record.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./lambda-worker.ts', import.meta.url));

export interface FunctionSpec {
  logicalId: string;
  /** The physical name: the function's `Ref`, and what its context and metrics name. */
  name: string;
  assetDir: string;
  handler: string;
  timeoutS: number;
  memoryMB: number;
  environment: Record<string, string>;
}

/** One metric as CloudWatch would record it from an EMF line. */
export interface EmittedMetric {
  function: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  value: number;
}

/** The invocation failed as Lambda reports it: the handler threw, or it ran past its timeout. */
export class LambdaError extends Error {
  readonly errorType: string;

  constructor(errorType: string, message: string) {
    super(message);
    this.name = 'LambdaError';
    this.errorType = errorType;
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class LambdaHost {
  readonly spec: FunctionSpec;
  readonly logs: string[] = [];
  readonly metrics: EmittedMetric[] = [];
  /** Invocations that failed (CloudWatch's AWS/Lambda `Errors`). */
  errors = 0;
  invocations = 0;
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  constructor(spec: FunctionSpec) {
    this.spec = spec;
  }

  async invoke(event: unknown): Promise<unknown> {
    const child = await this.#start();
    this.invocations++;
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Lambda ends the environment of a timed-out invocation; the next one starts cold.
        this.#fail(id, new LambdaError('Sandbox.Timedout', `Task timed out after ${this.spec.timeoutS} seconds`));
        this.#stopChild();
      }, this.spec.timeoutS * 1000);
      this.#pending.set(id, { resolve, reject, timer });
      child.send({ id, event, requestId: randomUUID() });
    });
  }

  async close(): Promise<void> {
    this.#stopChild();
  }

  #start(): Promise<ChildProcess> {
    this.#ready ??= new Promise<void>((resolve, reject) => {
      const { spec } = this;
      const child = fork(WORKER, [spec.assetDir, spec.handler, String(spec.timeoutS), String(spec.memoryMB)], {
        env: spec.environment,
        execArgv: [],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      this.#child = child;
      for (const stream of [child.stdout!, child.stderr!]) {
        createInterface({ input: stream }).on('line', (line) => this.#read(line));
      }
      child.on(
        'message',
        (message: { ready?: boolean; id?: number; result?: unknown; error?: { errorType: string; errorMessage: string } }) => {
          if (message.ready) return resolve();
          const id = message.id ?? -1;
          if (message.error) this.#fail(id, new LambdaError(message.error.errorType, message.error.errorMessage));
          else this.#settle(id, message.result);
        },
      );
      child.on('exit', (code, signal) => {
        if (this.#child === child) {
          this.#child = undefined;
          this.#ready = undefined;
        }
        reject(new Error(`${spec.logicalId} exited during its init (${signal ?? code}): ${this.logs.slice(-5).join('\n')}`));
        for (const id of [...this.#pending.keys()])
          this.#fail(id, new LambdaError('Runtime.ExitError', `the process exited (${signal ?? code})`));
      });
    });
    return this.#ready.then(() => this.#child!);
  }

  #stopChild(): void {
    const child = this.#child;
    this.#child = undefined;
    this.#ready = undefined;
    child?.kill('SIGKILL');
  }

  #settle(id: number, result: unknown): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  #fail(id: number, error: LambdaError): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    this.errors++;
    pending.reject(error);
  }

  #read(line: string): void {
    this.logs.push(line);
    if (!line.includes('"_aws"')) return;
    try {
      this.metrics.push(...emfMetrics(this.spec.name, JSON.parse(line)));
    } catch {
      // Not JSON after all: a log line that merely mentions _aws.
    }
  }
}

/** The metrics one EMF record declares: each metric under each of its dimension sets, with the record's values. */
export function emfMetrics(functionName: string, record: Record<string, any>): EmittedMetric[] {
  const directives = (record['_aws']?.CloudWatchMetrics ?? []) as {
    Namespace: string;
    Dimensions: string[][];
    Metrics: { Name: string }[];
  }[];
  const metrics: EmittedMetric[] = [];
  for (const directive of directives) {
    for (const dimensionSet of directive.Dimensions) {
      const dimensions = Object.fromEntries(dimensionSet.map((key) => [key, String(record[key])]));
      for (const { Name } of directive.Metrics) {
        const raw = record[Name];
        const value = Array.isArray(raw) ? raw.reduce((a: number, b: number) => a + b, 0) : Number(raw);
        metrics.push({ function: functionName, namespace: directive.Namespace, name: Name, dimensions, value });
      }
    }
  }
  return metrics;
}
