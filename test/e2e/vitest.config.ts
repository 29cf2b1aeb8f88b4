// The real Claude Code CLI against the stand-in: slow (seconds per session) and needs scripts/e2e-setup.sh,
// so it runs apart from the unit suite, with `npm run test:e2e`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One Claude Code at a time: each is a large native process and the machine is shared.
    fileParallelism: false,
  },
});
