// Plain data rebuilt by JSON.parse, so every number in it is boxed the way JSC boxes it
// canonically (an integral value in int32 range as an int32, anything else as a double).
// Optimised code may box an integral result as a double where the interpreter boxes an int32:
// params built by a loader the JIT has optimised (a later run of a sweep) then held 5000 as a
// double where the first run held an int32, and the hot functions compiled for one kind
// deoptimised and recompiled on the other, run after run. JSON.parse builds the whole tree in
// native code, whatever tier its caller runs in.

/** A copy of `plain` (finite numbers, strings, booleans, null, arrays and objects only) with canonical numbers. */
export function withCanonicalNumbers<T>(plain: T): T {
  const text = JSON.stringify(plain, (key, value: unknown) => {
    if (value === undefined || (typeof value === "number" && !Number.isFinite(value)) || typeof value === "function" || typeof value === "bigint") {
      throw new Error(`${key === "" ? "the value" : `key ${key}`} was ${String(value)}, expected plain data (finite numbers, strings, booleans, null, arrays, objects)`);
    }
    return value;
  });
  return JSON.parse(text) as T;
}
