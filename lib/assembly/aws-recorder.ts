/**
 * What each function asks of AWS, recorded on the way: a loopback proxy per function and service, in
 * front of the local engine (dynalite, the KMS and Secrets Manager stand-ins). Each call is read as IAM
 * would authorize it (the action from `X-Amz-Target`, the resources from the body) and passed on
 * unchanged, its signature included. A test may also make the next calls fail, as a missing table would.
 */
import { createServer } from 'node:http';
import { listen } from '../local/loopback.ts';
import { bodyOf, type Forwarded, forward } from './forward.ts';

export type AwsService = 'dynamodb' | 'kms' | 'secretsmanager' | 'sqs';

export interface AwsCall {
  function: string;
  /** As IAM names it: `dynamodb:GetItem`. */
  action: string;
  /** The ARNs IAM checks the action against. */
  resources: string[];
}

/** How the resources a call names become ARNs: the table's and the key's come from the template. */
export interface ArnScheme {
  table(name: string): string;
  /** The key a KMS call used, when the request names none (Decrypt reads it from the ciphertext). */
  kmsKey: string;
  /** A queue's ARN, from the QueueUrl a call names. */
  queue(url: string): string;
}

export interface Recorder {
  endpoint: string;
  close(): Promise<void>;
}

export interface Fault {
  /** The AWS error type answered, e.g. `ResourceNotFoundException`. */
  type: string;
  remaining: number;
  /** Only calls of this operation (`GetItem`) fail; unset, any. */
  operation?: string;
  /** How many matching calls still pass before the failures start. */
  skip?: number;
}

export async function startRecorder(options: {
  functionName: string;
  service: AwsService;
  target: string;
  arns: ArnScheme;
  calls: AwsCall[];
  /** Read on every call: a fault set for this function and service answers the call instead of the engine. */
  fault: () => Fault | undefined;
}): Promise<Recorder> {
  const target = new URL(options.target);
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1) ?? '';
    let json: Record<string, any> = {};
    try {
      json = JSON.parse(body.toString() || '{}');
    } catch {
      // Passed on as it is: the engine answers the malformed request itself.
    }
    const call: AwsCall = {
      function: options.functionName,
      action: `${options.service}:${iamAction(options.service, operation)}`,
      resources: resourcesOf(options.service, json, options.arns),
    };
    options.calls.push(call);
    const fault = options.fault();
    const matches = fault !== undefined && fault.remaining > 0 && (fault.operation === undefined || fault.operation === operation);
    if (matches && (fault.skip ?? 0) > 0) fault.skip = (fault.skip ?? 0) - 1;
    else if (matches) {
      fault.remaining--;
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: `com.amazonaws.${options.service}#${fault.type}`, message: 'injected by the harness' }));
      return;
    }
    let answer: Forwarded;
    try {
      answer = await forward(target, req, body);
    } catch (error) {
      res.writeHead(502).end(String(error));
      return;
    }
    // KMS names the key it used in its answer (Decrypt's request need not).
    if (options.service === 'kms' && call.resources.length === 0) {
      try {
        const keyId = JSON.parse(answer.body.toString()).KeyId;
        if (typeof keyId === 'string') call.resources.push(keyId);
      } catch {
        // An error answer: the call is recorded with the key the scheme names.
      }
      if (call.resources.length === 0) call.resources.push(options.arns.kmsKey);
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  const { url, close } = await listen(server);
  return { endpoint: url, close };
}

/** SQS authorizes its batch operations as the single ones: SendMessageBatch needs sqs:SendMessage, and so on. */
const iamAction = (service: AwsService, operation: string): string =>
  service === 'sqs' && operation.endsWith('Batch') ? operation.slice(0, -'Batch'.length) : operation;

/** The resources of one call, as IAM's documentation for each action names them. */
function resourcesOf(service: AwsService, body: Record<string, any>, arns: ArnScheme): string[] {
  if (service === 'secretsmanager') return typeof body['SecretId'] === 'string' ? [body['SecretId']] : [];
  if (service === 'kms') return typeof body['KeyId'] === 'string' ? [body['KeyId']] : [];
  if (service === 'sqs') return typeof body['QueueUrl'] === 'string' ? [arns.queue(body['QueueUrl'])] : [];
  const tables: string[] = [];
  if (typeof body['TableName'] === 'string') {
    const table = arns.table(body['TableName']);
    tables.push(typeof body['IndexName'] === 'string' ? `${table}/index/${body['IndexName']}` : table);
  }
  // BatchGetItem, BatchWriteItem: each table named in RequestItems.
  for (const name of Object.keys(body['RequestItems'] ?? {})) tables.push(arns.table(name));
  // TransactGetItems, TransactWriteItems: each item's table.
  for (const item of (body['TransactItems'] ?? []) as Record<string, { TableName?: string }>[]) {
    for (const part of Object.values(item)) if (part?.TableName) tables.push(arns.table(part.TableName));
  }
  return [...new Set(tables)];
}
