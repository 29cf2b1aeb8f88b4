/** Deterministic pseudo-random numbers (a linear congruential generator), so two bench runs generate the same input. */
export function seededRandom(seed: number): { rnd: () => number; between: (a: number, b: number) => number } {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  return { rnd, between: (a, b) => a + Math.floor(rnd() * (b - a)) };
}
