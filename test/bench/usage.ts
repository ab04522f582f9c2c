/**
 * A benchmark's command line: `--help` prints what it measures and how to tune it, and exits 0 before
 * anything is measured; anything else it does not know is refused with the same text and exit 2.
 */
export function readBenchArgs(usage: string, argv = process.argv.slice(2)): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  if (argv.length > 0) {
    console.error(`Unknown argument: ${argv.join(' ')}\n\n${usage}`);
    process.exit(2);
  }
}
