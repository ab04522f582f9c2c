/** The fault run's event half as printed (events.ts): what the device cloud sent, what was injected, what the check found. */
import type { EventFaultRun } from './events.ts';

export function summarizeEvents(run: EventFaultRun): string[] {
  const { verdict } = run;
  const counts = (map: Map<string, number>) => [...map].map(([name, n]) => `${name} ${n}`).join(', ');
  const rows: [string, string | number][] = [
    ['run time (s): synth, faults, drain, checks', run.seconds.toFixed(0)],
    ['bodies the device cloud posted (each resent until 202)', run.bodies],
    ['webhook answers', counts(run.webhookAnswers)],
    ['events acknowledged (202)', verdict.acknowledged],
    ['  delivered to the gateway (at least once)', verdict.delivered],
    ['  superseded by a newer change of each interface they name', verdict.superseded],
    ['  ghosts (a device the cloud does not list), not sent', verdict.ghosts],
    ['  grant ended by a confirmed 403', verdict.ended],
    [
      'delivered twice',
      `${verdict.duplicates} (${verdict.delivered ? ((100 * verdict.duplicates) / verdict.delivered).toFixed(2) : '0'} %)`,
    ],
    ['gateway: reports sent / faults answered', counts(run.gatewayFaults)],
    ['invocations killed (webhook and consumer)', run.kills],
    ...[...run.faults.counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]): [string, number] => [`fault: ${kind}`, n]),
    ['violations', verdict.violations.length],
  ];
  const lines = ['| figure | value |', '|---|---|', ...rows.map(([figure, value]) => `| ${figure} | ${value} |`)];
  if (verdict.violations.length > 0) lines.push('', 'Violations:', ...verdict.violations.slice(0, 20).map((v) => `  ${v}`));
  return lines;
}
