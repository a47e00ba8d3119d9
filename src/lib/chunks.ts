/** D1 binds at most 100 parameters per statement: split id lists before `IN (…)`. */
export const D1_MAX_PARAMS = 100;

export function chunks<T>(items: readonly T[], size = D1_MAX_PARAMS - 10): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
