/**
 * A loopback proxy in front of the embedded DynamoDB that fails the calls a test picks, at the HTTP level, so the
 * SDK's own retries run as they do against AWS. `lose-answer` forwards the call (it is applied) and answers 500 in
 * its place: the SDK sends it again, and the retry meets what the first attempt wrote.
 */
import { createServer } from 'node:http';
import { bodyOf, forward } from '../../lib/assembly/forward.ts';
import { listen } from '../../lib/local/loopback.ts';

/** One call as the proxy sees it: the operation (`PutItem`, `UpdateItem`, …) and the request's JSON text. */
export interface DynamoCall {
  operation: string;
  body: string;
}
export type Fault = 'pass' | 'fail' | 'lose-answer';

export interface DynamoFaults {
  url: string;
  /** Where calls go: set once the table is up (the driver's clients are made on their first call). */
  target: string;
  rule: (call: DynamoCall) => Fault;
  /** What was failed, in order: the operation and the fault. */
  injected: { operation: string; fault: Fault }[];
  close(): Promise<void>;
}

const FAILURE = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected fault' });

export async function startDynamoFaults(): Promise<DynamoFaults> {
  const faults: DynamoFaults = { url: '', target: '', rule: () => 'pass', injected: [], close: async () => undefined };
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const fault = faults.rule({ operation, body: body.toString() });
    if (fault !== 'pass') faults.injected.push({ operation, fault });
    if (fault === 'fail') return void res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(FAILURE);
    const answer = await forward(new URL(faults.target), req, body);
    if (fault === 'lose-answer') return void res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(FAILURE);
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  const { url, close } = await listen(server);
  faults.url = url;
  faults.close = close;
  return faults;
}

/** A rule that applies `fault` to the first `times` calls `matches` picks, and passes everything else. */
export function firstCalls(matches: (call: DynamoCall) => boolean, fault: Fault, times = 1): (call: DynamoCall) => Fault {
  let left = times;
  return (call) => {
    if (left <= 0 || !matches(call)) return 'pass';
    left--;
    return fault;
  };
}
