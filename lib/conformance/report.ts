/** The report for a person: one line per check, ✓ ✗ –, and one line of reason per failure. */
import type { Report } from './results.ts';

export function humanReport(report: Report): string[] {
  const width = Math.min(60, Math.max(...report.results.map((r) => r.id.length), 10));
  const lines = report.results.map((r) => {
    const mark = r.skipped ? '–' : r.ok ? '✓' : '✗';
    const head = `${mark} ${r.id.padEnd(width)}  ${r.title}`;
    if (!r.ok) return `${head}\n    ${r.message}`;
    return r.message ? `${head}\n    ${r.skipped ? `skipped: ${r.message}` : r.message}` : head;
  });
  return [...lines, '', `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`];
}
