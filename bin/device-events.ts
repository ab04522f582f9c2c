/** `npm run device-events -- …`: one signed event to a driver's POST /device-events (lib/operator/device-events-command.ts). */
import { TransportError } from '../functions/adapters/http/request.ts';
import { postDeviceEvents } from '../lib/local/device-events-client.ts';
import { parseDeviceEventsArgs, USAGE } from '../lib/operator/device-events-command.ts';
import { UsageError } from '../lib/usage-error.ts';

let command: ReturnType<typeof parseDeviceEventsArgs>;
try {
  command = parseDeviceEventsArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (command === 'help') {
  console.log(USAGE);
  process.exit(0);
}

try {
  const answer = await postDeviceEvents(command.driverUrl, command.secret, [command.event]);
  console.log(`${command.driverUrl}/device-events answered ${answer.status} ${answer.body}`);
  process.exitCode = answer.status === 202 ? 0 : 1;
} catch (error) {
  if (!(error instanceof TransportError)) throw error;
  console.error(`${command.driverUrl}/device-events cannot be reached: ${error.message}`);
  process.exitCode = 2;
}
