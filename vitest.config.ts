import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    // A deadline for a hang only: the slowest unit tests (the CLI run as a child process, the demo) take 5-10 s idle
    // and passed 20 s on a 2-core machine kept busy by stress-ng and other jobs (load average ~24).
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
