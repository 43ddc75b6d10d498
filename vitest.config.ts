import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'server/**/*.test.ts', 'shared/**/*.test.ts'],
    testTimeout: 30_000,
    // Browser assertions poll the page; on 2 loaded cores a live update can take longer than the 1 s default.
    expect: { poll: { timeout: 5000, interval: 50 } },
    hookTimeout: 60_000,
    pool: 'forks',
    // Debian's chromium for the browser tests: installed when it can be, else one clear sentence (test/setup).
    globalSetup: ['test/setup/chromium.ts'],
    // Browser suites start Chromium: keep them from crowding the 2 cores.
    maxWorkers: 2,
  },
});
