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
// A fresh copy per invocation, as Lambda gives (middy's JSON parser replaces event.body in place).
const invoke = async (i: number, event = structuredClone(events[i % events.length])) => {
  const result = await handler(event, context);
  if (JSON.parse(result.body).status !== 0) throw new Error(`invocation failed: ${result.body}`);
};
for (let i = 0; i < 50; i++) await invoke(i);
const times: number[] = [];
for (let i = 0; i < count; i++) {
  const event = structuredClone(events[i % events.length]);
  const start = performance.now();
  await invoke(i, event);
  times.push(performance.now() - start);
}
console.log(JSON.stringify({ times }));
