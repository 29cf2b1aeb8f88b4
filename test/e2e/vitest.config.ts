// The real Claude Code CLI against the stand-in: slow (seconds per session) and needs scripts/e2e-setup.sh,
// so it runs apart from the unit suite, with `npm run test:e2e`.
import { defineConfig } from 'vitest/config';
import { printMs, SETUP_MS } from './allowance';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    // Each test sets its deadline from the Claude Code runs it makes (test/e2e/allowance.ts); this default is one run.
    testTimeout: printMs(1),
    hookTimeout: SETUP_MS,
    // One Claude Code at a time: each is a large native process and the machine is shared.
    fileParallelism: false,
  },
});
