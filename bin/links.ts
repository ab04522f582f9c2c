/** `npm run links -- list|show|revoke <userId>`: see lib/operator/links-command.ts and docs/operations.md. */

// The domain's log lines are for CloudWatch; here the command's own output says what happened. Set
// before the import below, since the logger reads them as it loads.
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';
const { runLinks } = await import('../lib/operator/links-command.ts');
try {
  process.exitCode = await runLinks(process.argv.slice(2), {
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
} catch (error) {
  // The reason only: an AWS or network failure is read by a person, and a stack trace would hide it.
  console.error(`npm run links failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 2;
}
