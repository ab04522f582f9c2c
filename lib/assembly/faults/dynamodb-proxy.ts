/**
 * DynamoDB as the fault run serves it: a loopback listener per execution environment in front of dynalite,
 * so each call is known by the environment (and so the invocation) that made it. Each call meets the fault
 * the plan draws for it: latency, an error answered before dynalite sees it (the SDK retries those), the call
 * applied and then its answer lost (a 500 or a reset connection: the SDK retries a write that already took),
 * or the environment killed before the call reaches dynalite or after dynalite applied it.
 */
import { createServer, type ServerResponse } from 'node:http';
import { listen } from '../../local/loopback.ts';
import { bodyOf, forward } from '../forward.ts';
import type { LambdaPool } from '../lambda-pool.ts';
import type { FaultLog } from './history.ts';
import type { FaultPlan } from './plan.ts';

export interface DynamoFaultProxy {
  /** The endpoint worker `workerId` is given as AWS_ENDPOINT_URL_DYNAMODB. */
  endpointFor(workerId: number): Promise<string>;
  close(): Promise<void>;
}

export function dynamoFaultProxy(options: { target: string; plan: FaultPlan; pool: () => LambdaPool; faults: FaultLog }): DynamoFaultProxy {
  const target = new URL(options.target);
  const closers: (() => Promise<void>)[] = [];
  const answerError = (res: ServerResponse, status: number, type: string) =>
    res
      .writeHead(status, { 'content-type': 'application/x-amz-json-1.0' })
      .end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'injected by the fault run' }));

  async function endpointFor(workerId: number): Promise<string> {
    const server = createServer(async (req, res) => {
      const body = await bodyOf(req);
      const worker = options.pool().worker(workerId);
      // A call from an environment already killed never happened: SIGKILL leaves nothing running.
      if (!worker || worker.dead) return void res.destroy();
      const tag = worker.tag;
      const call = worker.calls++;
      const fault = tag === undefined ? ({ kind: 'none' } as const) : options.plan.dynamo(tag, call);
      if (tag !== undefined && fault.kind !== 'none') options.faults.add(fault.kind, tag, call);
      if (fault.kind === 'kill before dynamodb') {
        options.pool().kill(workerId);
        return void res.destroy();
      }
      if (fault.kind === 'dynamodb error') return answerError(res, fault.status, fault.type);
      if (fault.kind === 'dynamodb latency') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      // Killed while this call waited (by another of its calls): it never reached DynamoDB.
      if (worker.dead) return void res.destroy();
      const answer = await forward(target, req, body).catch(() => undefined);
      if (!answer) return void res.destroy();
      if (fault.kind === 'kill after dynamodb') {
        options.pool().kill(workerId);
        return void res.destroy();
      }
      if (fault.kind === 'dynamodb applied, answer lost') {
        return fault.as === 'status 500' ? answerError(res, 500, 'InternalServerError') : void res.destroy();
      }
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
    const { url, close } = await listen(server);
    closers.push(close);
    return url;
  }

  return {
    endpointFor,
    async close() {
      for (const close of closers) await close();
    },
  };
}
