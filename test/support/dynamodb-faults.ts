/**
 * A loopback proxy in front of the embedded DynamoDB that fails the calls a test picks, at the HTTP level, so the
 * SDK's own retries run as they do against AWS. `lose-answer` forwards the call (it is applied) and answers 500 in
 * its place: the SDK sends it again, and the retry meets what the first attempt wrote.
 */
import { createServer } from 'node:http';
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
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const fault = faults.rule({ operation, body: body.toString() });
    if (fault !== 'pass') faults.injected.push({ operation, fault });
    if (fault === 'fail') return void res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(FAILURE);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'connection')) as Record<
      string,
      string
    >;
    const answer = await fetch(faults.target, { method: 'POST', headers, body });
    const text = await answer.text();
    if (fault === 'lose-answer') return void res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(FAILURE);
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.0' }).end(text);
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
