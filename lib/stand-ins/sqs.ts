/**
 * A stand-in for Amazon SQS on loopback, speaking the JSON protocol (`AmazonSQS.*`, x-amz-json-1.0) for the
 * actions the driver's queue adapter and Lambda's event-source mapping (as stood in for locally) use: standard
 * queues with a visibility timeout, receive counts, long polling, per-message delays and a redrive policy that
 * moves a message to its dead-letter queue once it has been received `maxReceiveCount` times. Requests must be SigV4-signed for service `sqs` with the test
 * credentials, as SQS would insist.
 *
 * Why not moto or ElasticMQ: ElasticMQ needs a JVM and its jar (not reachable here), and `npm start` must not need
 * one; moto would need Python packages at test time. The driver and the mapping use six SQS actions, and these are
 * they, with the semantics the consumer's tests depend on. `now` can be moved, so an hour of backoff passes in a test.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { listen } from '../local/loopback.ts';
import { signedFor } from './sigv4.ts';

export interface QueueSettings {
  /** Seconds a received message stays hidden unless deleted or changed: SQS's default is 30. */
  visibilityTimeoutS?: number;
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

interface Message {
  id: string;
  body: string;
  md5: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
}

interface Queue {
  name: string;
  settings: Required<Pick<QueueSettings, 'visibilityTimeoutS'>> & Pick<QueueSettings, 'redrive'>;
  messages: Message[];
}

export interface SqsStandIn {
  /** The endpoint (AWS_ENDPOINT_URL_SQS). */
  endpoint: string;
  /** Creates a queue (or returns the one of that name); answers its URL. */
  createQueue(name: string, settings?: QueueSettings): string;
  /** Messages in the queue, visible or in flight. */
  depth(name: string): number;
  /** The bodies in a queue, for a test to look at (a dead-letter queue's, say). */
  bodies(name: string): string[];
  close(): Promise<void>;
}

export async function startSqsStandIn(options: { now?: () => number } = {}): Promise<SqsStandIn> {
  const now = options.now ?? Date.now;
  const queues = new Map<string, Queue>();
  const waiting = new Set<() => void>();
  let endpoint = '';
  const urlOf = (name: string) => `${endpoint}/000000000000/${name}`;

  const createQueue = (name: string, settings: QueueSettings = {}): string => {
    if (!queues.has(name)) {
      queues.set(name, {
        name,
        settings: { visibilityTimeoutS: settings.visibilityTimeoutS ?? 30, redrive: settings.redrive },
        messages: [],
      });
    }
    return urlOf(name);
  };

  const queueOf = (body: Record<string, unknown>): Queue => {
    const name = String(body['QueueUrl'] ?? '')
      .split('/')
      .pop();
    const queue = name ? queues.get(name) : undefined;
    if (!queue) throw new SqsFault('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return queue;
  };

  const send = (queue: Queue, body: unknown, delayS: unknown, attributes: unknown): Message => {
    if (typeof body !== 'string' || body === '') throw new SqsFault('MissingParameter', 'MessageBody is required.');
    if (Buffer.byteLength(body) > 256 * 1024) throw new SqsFault('InvalidParameterValue', 'MessageBody is over 256 KiB.');
    const message: Message = {
      id: randomUUID(),
      body,
      md5: createHash('md5').update(body).digest('hex'),
      attributes: (attributes as Message['attributes']) ?? {},
      sentAt: now(),
      visibleAt: now() + Number(delayS ?? 0) * 1000,
      receiveCount: 0,
    };
    queue.messages.push(message);
    for (const wake of waiting) wake();
    return message;
  };

  const receive = (queue: Queue, max: number, visibilityS: number): Message[] => {
    const taken: Message[] = [];
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now()) continue;
      const redrive = queue.settings.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        // Received as often as the policy allows: moved, as SQS does, instead of handed out again.
        queue.messages.splice(queue.messages.indexOf(message), 1);
        const dlq = queues.get(redrive.deadLetterQueue);
        if (dlq) dlq.messages.push({ ...message, visibleAt: now(), receiveCount: 0, receiptHandle: undefined });
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now();
      message.receiptHandle = randomUUID();
      message.visibleAt = now() + visibilityS * 1000;
      taken.push(message);
    }
    return taken;
  };

  const inFlight = (queue: Queue, handle: unknown): Message => {
    const message = queue.messages.find((m) => m.receiptHandle !== undefined && m.receiptHandle === handle);
    if (!message) throw new SqsFault('ReceiptHandleIsInvalid', 'The receipt handle is not valid (it may have been received again since).');
    return message;
  };

  const actions: Record<string, (body: Record<string, unknown>) => Promise<unknown> | unknown> = {
    SendMessage: (body) => {
      const message = send(queueOf(body), body['MessageBody'], body['DelaySeconds'], body['MessageAttributes']);
      return { MessageId: message.id, MD5OfMessageBody: message.md5 };
    },
    SendMessageBatch: (body) => {
      const queue = queueOf(body);
      const entries = (body['Entries'] ?? []) as Array<Record<string, unknown>>;
      if (entries.length === 0 || entries.length > 10)
        throw new SqsFault('AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'A batch holds 1 to 10 entries.');
      const total = entries.reduce((sum, entry) => sum + Buffer.byteLength(String(entry['MessageBody'] ?? '')), 0);
      if (total > 256 * 1024) throw new SqsFault('AWS.SimpleQueueService.BatchRequestTooLong', 'The batch is over 256 KiB.');
      return {
        Successful: entries.map((entry) => {
          const message = send(queue, entry['MessageBody'], entry['DelaySeconds'], entry['MessageAttributes']);
          return { Id: entry['Id'], MessageId: message.id, MD5OfMessageBody: message.md5 };
        }),
        Failed: [],
      };
    },
    ReceiveMessage: async (body) => {
      const queue = queueOf(body);
      const max = Math.min(10, Math.max(1, Number(body['MaxNumberOfMessages'] ?? 1)));
      const visibilityS = Number(body['VisibilityTimeout'] ?? queue.settings.visibilityTimeoutS);
      const waitUntil = Date.now() + Math.min(20, Number(body['WaitTimeSeconds'] ?? 0)) * 1000;
      let taken = receive(queue, max, visibilityS);
      // Long polling: wait for a message (or for a delayed one to come due) until the wait is over.
      while (taken.length === 0 && Date.now() < waitUntil) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiting.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(50, waitUntil - Date.now()));
          waiting.add(wake);
        });
        taken = receive(queue, max, visibilityS);
      }
      return {
        Messages: taken.map((message) => ({
          MessageId: message.id,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: message.md5,
          Body: message.body,
          Attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
          },
          ...(Object.keys(message.attributes).length > 0 ? { MessageAttributes: message.attributes } : {}),
        })),
      };
    },
    DeleteMessage: (body) => {
      const queue = queueOf(body);
      queue.messages.splice(queue.messages.indexOf(inFlight(queue, body['ReceiptHandle'])), 1);
      return {};
    },
    DeleteMessageBatch: (body) => {
      const queue = queueOf(body);
      const entries = (body['Entries'] ?? []) as Array<Record<string, unknown>>;
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of entries) {
        try {
          queue.messages.splice(queue.messages.indexOf(inFlight(queue, entry['ReceiptHandle'])), 1);
          Successful.push({ Id: entry['Id'] });
        } catch (error) {
          Failed.push({ Id: entry['Id'], Code: (error as SqsFault).code, SenderFault: true, Message: (error as Error).message });
        }
      }
      return { Successful, Failed };
    },
    ChangeMessageVisibility: (body) => {
      const queue = queueOf(body);
      const timeout = Number(body['VisibilityTimeout']);
      if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43_200)
        throw new SqsFault('InvalidParameterValue', 'VisibilityTimeout is 0 to 43200.');
      inFlight(queue, body['ReceiptHandle']).visibleAt = now() + timeout * 1000;
      return {};
    },
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString();
    const reply = (status: number, json: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(json));
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    if (!signedFor('sqs', req, raw)) {
      return reply(403, { __type: 'com.amazonaws.sqs#InvalidSignature', message: 'The request signature does not match.' });
    }
    const handle = actions[action];
    if (!handle)
      return reply(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `${action || target} is not supported here.` });
    try {
      reply(200, await handle(JSON.parse(raw || '{}')));
    } catch (error) {
      if (!(error instanceof SqsFault)) return reply(500, { __type: 'com.amazonaws.sqs#InternalError', message: 'internal error' });
      reply(400, { __type: `com.amazonaws.sqs#${error.code}`, message: error.message });
    }
  });
  const listening = await listen(server);
  endpoint = listening.url;
  return {
    endpoint,
    createQueue,
    depth: (name) => queues.get(name)?.messages.length ?? 0,
    bodies: (name) => (queues.get(name)?.messages ?? []).map((m) => m.body),
    close: async () => {
      for (const wake of waiting) wake();
      await listening.close();
    },
  };
}

class SqsFault extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
