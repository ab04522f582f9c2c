/**
 * Run in a child process by bench/lambda.ts: imports one bundle, warms it up, then times `count`
 * invocations cycling through the given events, and prints each time in milliseconds.
 */
import { pathToFileURL } from 'node:url';
import { lambdaContext } from '../../lib/local/lambda-context.ts';

const [bundle, eventsJson, countText] = process.argv.slice(2);
const events = JSON.parse(eventsJson ?? '[]') as unknown[];
const count = Number(countText ?? 1000);
const { handler } = (await import(pathToFileURL(bundle ?? '').href)) as { handler: (e: unknown, c: unknown) => Promise<{ body: string }> };
const context = lambdaContext('warm', 60_000);
/** A v1 envelope with status 0, or a v2 Response or DiscoveryResponse. */
const succeeded = (body: { status?: number; header?: { name?: string } }) =>
  body.status === 0 || body.header?.name === 'Response' || body.header?.name === 'DiscoveryResponse';
let sent = 0;
/**
 * A fresh copy per invocation, as Lambda gives (middy's JSON parser replaces event.body in place). A v2
 * message gets a messageId of its own each time, as Rokid sends them: a repeated one would be answered from
 * the kept reply, and time nothing but that.
 */
function eventFor(i: number): unknown {
  const event = structuredClone(events[i % events.length]) as { body?: string };
  const message = event.body?.includes('"messageId"') ? (JSON.parse(event.body) as { header: { messageId: string } }) : undefined;
  if (message) {
    message.header.messageId = `${message.header.messageId}-${process.pid}-${sent++}`;
    event.body = JSON.stringify(message);
  }
  return event;
}
const check = (result: { body: string }) => {
  if (!succeeded(JSON.parse(result.body))) throw new Error(`invocation failed: ${result.body}`);
};
const invoke = async (i: number, event = eventFor(i)) => check(await handler(event, context));
for (let i = 0; i < 50; i++) await invoke(i);
const times: number[] = [];
for (let i = 0; i < count; i++) {
  const event = eventFor(i);
  // The handler's time only: reading its answer back (a 500-device Discover is half a megabyte) is the
  // harness's work, not the function's, and is checked after the clock stops.
  const start = performance.now();
  const result = await handler(event, context);
  times.push(performance.now() - start);
  check(result);
}
console.log(JSON.stringify({ times }));
