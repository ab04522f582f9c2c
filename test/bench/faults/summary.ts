/** A fault run as printed: what was sent, what was injected, what the check found. */
import { VIOLATION_KINDS } from '../../../lib/assembly/faults/check.ts';
import type { Answer } from '../../../lib/assembly/faults/history.ts';
import type { FaultRun } from './run.ts';

/** `a, b ×3, a`: repeats of one answer in a row counted. */
const runs = (names: string[]) =>
  names
    .reduce<[string, number][]>((out, name) => {
      const last = out.at(-1);
      if (last?.[0] === name) last[1]++;
      else out.push([name, 1]);
      return out;
    }, [])
    .map(([name, n]) => (n > 1 ? `${name} ×${n}` : name))
    .join(', ');
const nameOf = (answer: Answer) =>
  answer.kind === 'error' ? answer.name : answer.kind === 'status' ? `HTTP ${answer.status}` : answer.kind;

export function summarize(run: FaultRun, seed: number): string[] {
  const { messages } = run.history;
  const controls = messages.filter((m) => m.intent);
  const count = (pred: (directive: string) => boolean) => messages.filter((m) => pred(m.directive)).length;
  const killed = messages.flatMap((m) => m.answers).filter((a) => a.kind === 'killed').length;
  const answers = new Map<string, number>();
  for (const answer of messages.flatMap((m) => m.answers)) answers.set(nameOf(answer), (answers.get(nameOf(answer)) ?? 0) + 1);
  const byKind = new Map<string, number>();
  for (const v of run.verdict.violations) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
  const rows: [string, string | number][] = [
    ['seed', seed],
    ['run time (s): synth, faults, drain, checks', run.seconds.toFixed(0)],
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
    ['driver log lines by level', [...run.logLevels].map(([level, n]) => `${level} ${n}`).join(', ')],
    ['unconfirmed answers: log lines / v2_unconfirmed_answers', `${run.history.unconfirmed.length} / ${run.unconfirmedMetric}`],
    ...[...run.faults.counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]): [string, number] => [`fault: ${kind}`, n]),
    ...VIOLATION_KINDS.map((kind): [string, number] => [`violations: ${kind}`, byKind.get(kind) ?? 0]),
  ];
  const lines = ['| figure | value |', '|---|---|', ...rows.map(([figure, value]) => `| ${figure} | ${value} |`)];
  const shown = run.verdict.violations.slice(0, 20);
  if (shown.length > 0) {
    lines.push('', `Violations (${run.verdict.violations.length}; reproduce with --seed ${seed}):`);
    for (const v of shown) {
      lines.push(`  ${v.kind}${v.messageId ? ` [${v.messageId}]` : ''}: ${v.detail}`);
      const met = v.messageId === undefined ? [] : (run.faults.byMessage.get(v.messageId) ?? []);
      if (met.length > 0) lines.push(`    faults its sends met: ${met.join('; ')}`);
      const message = messages.find((m) => m.messageId === v.messageId);
      if (message) lines.push(`    its answers, send by send: ${runs(message.answers.map(nameOf))}`);
    }
  }
  return lines;
}
