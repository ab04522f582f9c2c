/**
 * Run in a fresh Node process: imports one built Lambda bundle, as the runtime would, and invokes its
 * handler with each event from argv[3] (a JSON array), printing each result as a line of JSON.
 *
 *   node test/support/invoke-bundle.ts dist/bundles/list/index.mjs '[{...event}]'
 */
import { pathToFileURL } from 'node:url';
import { lambdaContext } from '../../lib/local/lambda-context.ts';

const [bundle, events] = process.argv.slice(2);
if (!bundle || !events) throw new Error('usage: invoke-bundle.ts <bundle.mjs> <events.json>');
const builtIns = () => (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
const before = new Set(builtIns());
const started = performance.now();
const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
const imported = performance.now();
for (const [i, event] of (JSON.parse(events) as unknown[]).entries()) {
  const result = await handler(event, lambdaContext(`bundle-${i}`, 120_000));
  const firstAnswerMs = performance.now() - started;
  const loaded = builtIns().filter((name) => !before.has(name));
  console.log(JSON.stringify({ result, importMs: imported - started, firstAnswerMs, loaded }));
}
