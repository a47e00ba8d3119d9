// Records every statement a request runs on D1 (SQL, bound values, batch boundaries) so the
// benchmark can replay exactly that SQL raw on the binding: the baseline is the same database
// work with none of the app around it (routing, auth logic, validation, Drizzle, JSON shaping).

export type Step = { sql: string; params: unknown[] } | { batch: { sql: string; params: unknown[] }[] };

const REAL = Symbol("real statement");
const SOURCE = Symbol("statement source");

type Recorded = D1PreparedStatement & { [REAL]: D1PreparedStatement; [SOURCE]: { sql: string; params: unknown[] } };

function wrapStatement(real: D1PreparedStatement, sql: string, params: unknown[], trace: Step[]): Recorded {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === REAL) return target;
      if (prop === SOURCE) return { sql, params };
      if (prop === "bind") return (...values: unknown[]) => wrapStatement(target.bind(...values), sql, values, trace);
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "all" || prop === "first" || prop === "run" || prop === "raw") {
        return (...args: unknown[]) => {
          trace.push({ sql, params });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  }) as Recorded;
}

export function recordingD1(db: D1Database, trace: Step[]): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrapStatement(target.prepare(sql), sql, [], trace);
      if (prop === "batch") {
        return (statements: Recorded[]) => {
          trace.push({ batch: statements.map((s) => s[SOURCE]) });
          return target.batch(statements.map((s) => s[REAL]));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Run a recorded trace raw, step by step, and return every result set. */
export async function replay(db: D1Database, trace: Step[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const step of trace) {
    if ("batch" in step) {
      const results = await db.batch(step.batch.map((s) => db.prepare(s.sql).bind(...s.params)));
      out.push(results.map((r) => r.results));
    } else {
      out.push((await db.prepare(step.sql).bind(...step.params).all()).results);
    }
  }
  return out;
}
