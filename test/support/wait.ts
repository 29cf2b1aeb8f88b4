/**
 * How long a unit test waits for a condition (vi.waitFor) before calling it a hang. vi.waitFor's own default (1 s)
 * is a timing assertion in disguise: on a 2-core machine kept busy by other work, a local loopback post took longer
 * and the test failed with nothing wrong. The condition is still polled every 50 ms, so an idle run is as fast.
 */
export const WAIT = { timeout: 60_000, interval: 50 } as const;
