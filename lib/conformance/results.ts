/** What a conformance run finds: one result per check, each with a stable id. */

export interface CheckResult {
  id: string;
  title: string;
  ok: boolean;
  skipped: boolean;
  /** Why it failed or was skipped; for a pass, any warning (rhome-only findings). */
  message: string;
}

export interface Report {
  passed: number;
  failed: number;
  skipped: number;
  results: CheckResult[];
}

/** Collects results as the checks run, and tells the progress line what is happening. */
export class Results {
  readonly #results: CheckResult[] = [];
  readonly #progress: (line: string) => void;

  constructor(progress: (line: string) => void = () => undefined) {
    this.#progress = progress;
  }

  pass(id: string, title: string, message = ''): void {
    this.#add({ id, title, ok: true, skipped: false, message });
  }

  fail(id: string, title: string, message: string): void {
    this.#add({ id, title, ok: false, skipped: false, message });
  }

  skip(id: string, title: string, message: string): void {
    this.#add({ id, title, ok: true, skipped: true, message });
  }

  /** Passes when `problems` is empty; otherwise fails with the first few, one line. */
  expect(id: string, title: string, problems: string[], warning = ''): void {
    if (problems.length === 0) this.pass(id, title, warning);
    else this.fail(id, title, summarize(problems));
  }

  report(): Report {
    const results = [...this.#results];
    return {
      passed: results.filter((r) => r.ok && !r.skipped).length,
      failed: results.filter((r) => !r.ok).length,
      skipped: results.filter((r) => r.skipped).length,
      results,
    };
  }

  #add(result: CheckResult): void {
    this.#results.push(result);
    this.#progress(`[${this.#results.length}] ${result.id}`);
  }
}

/** One line: the first three problems, and how many more. */
export function summarize(problems: string[]): string {
  const shown = problems.slice(0, 3).join('; ');
  return problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown;
}
