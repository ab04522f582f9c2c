import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The driver's log lines are printed for failing tests only (test/support/quiet-logs.ts).
    setupFiles: ['test/support/quiet-logs.ts'],
    coverage: {
      provider: 'v8',
      // What deploys and what runs locally; the tests and benchmarks are not measured.
      include: ['functions/**/*.ts', 'lib/**/*.ts', 'bin/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'dist/coverage',
      thresholds: {
        lines: 80,
        'functions/domain/**': { lines: 90 },
      },
    },
  },
});
