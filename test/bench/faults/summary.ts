/** A fault run as printed: what was sent, what was injected, what the check found. */
import { VIOLATION_KINDS } from '../../../lib/assembly/faults/check.ts';
import type { FaultRun } from './run.ts';

export function summarize(run: FaultRun, seed: number): string[] {
  const { messages } = run.history;
  const controls = messages.filter((m) => m.intent);
  const count = (pred: (directive: string) => boolean) => messages.filter((m) => pred(m.directive)).length;
  const killed = messages.flatMap((m) => m.answers).filter((a) => a.kind === 'killed').length;
  const answers = new Map<string, number>();
  for (const answer of messages.flatMap((m) => m.answers)) {
    const name = answer.kind === 'error' ? answer.name : answer.kind === 'status' ? `HTTP ${answer.status}` : answer.kind;
    answers.set(name, (answers.get(name) ?? 0) + 1);
  }
  const byKind = new Map<string, number>();
  for (const v of run.verdict.violations) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
  const rows: [string, string | number][] = [
    ['seed', seed],
    ['run time (s), drain and checks included', run.seconds.toFixed(0)],
    ['messages', messages.length],
    [
      '  Controls: Set / Adjust / Switch',
      `${count((d) => d.endsWith('.Set'))} / ${count((d) => d.endsWith('.Adjust'))} / ${count((d) => d.startsWith('Switch.'))}`,
    ],
    ['  ReportState', count((d) => d === 'ReportState')],
    ['sends (resends included)', run.sends],
    ['resends', run.sends - messages.length],
    ['answers by name', [...answers].map(([name, n]) => `${name} ${n}`).join(', ')],
    ['invocations killed (answer lost, resent)', `${killed} (kills made: ${run.kills})`],
    ['execution environments started', run.environments],
    ['actions the device cloud applied', run.verdict.applied],
    ['Controls answered Response, confirmed', run.verdict.confirmed],
    ['Controls answered unconfirmed (logged)', `${run.verdict.unconfirmed} of ${controls.length}`],
    ['unconfirmed answers: log lines / v2_unconfirmed_answers', `${run.history.unconfirmed.length} / ${run.unconfirmedMetric}`],
    ...[...run.faults].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]): [string, number] => [`fault: ${kind}`, n]),
    ...VIOLATION_KINDS.map((kind): [string, number] => [`violations: ${kind}`, byKind.get(kind) ?? 0]),
  ];
  const lines = ['| figure | value |', '|---|---|', ...rows.map(([figure, value]) => `| ${figure} | ${value} |`)];
  const shown = run.verdict.violations.slice(0, 20);
  if (shown.length > 0) {
    lines.push('', `Violations (${run.verdict.violations.length}; reproduce with --seed ${seed}):`);
    for (const v of shown) lines.push(`  ${v.kind}${v.messageId ? ` [${v.messageId}]` : ''}: ${v.detail}`);
  }
  return lines;
}
