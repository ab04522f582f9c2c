/**
 * The goals a benchmark checks. Each figure is compared with its limit as it is measured; `settle`
 * prints the verdicts and makes the process exit non-zero, naming every figure that missed.
 */
export interface Goal {
  figure: string;
  value: number;
  limit: number;
  /** `max`: the value must not exceed the limit; `min`: it must reach it. */
  kind: 'max' | 'min';
  unit: string;
}

const goals: Goal[] = [];

export function goal(figure: string, value: number, kind: Goal['kind'], limit: number, unit = '×'): boolean {
  goals.push({ figure, value, limit, kind, unit });
  return met(goals.at(-1)!);
}

const met = (g: Goal) => (g.kind === 'max' ? g.value <= g.limit : g.value >= g.limit);
const show = (n: number, unit: string) => (unit === '×' ? `${n.toFixed(2)}×` : `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`);

export function settle(title: string): void {
  console.log(`\n${title}\n\n| figure | measured | goal | |\n|---|---|---|---|`);
  for (const g of goals) {
    console.log(
      `| ${g.figure} | ${show(g.value, g.unit)} | ${g.kind === 'max' ? '≤' : '≥'} ${show(g.limit, g.unit)} | ${met(g) ? '✓' : '✗'} |`,
    );
  }
  const missed = goals.filter((g) => !met(g));
  if (missed.length > 0) {
    console.error(
      `\nMissed: ${missed.map((g) => `${g.figure} (${show(g.value, g.unit)}, goal ${g.kind === 'max' ? '≤' : '≥'} ${show(g.limit, g.unit)})`).join('; ')}`,
    );
    process.exitCode = 1;
  }
}
