// `--sweep key=v1,v2 --sweep other=a,b` -> every combination, in a stable order.
import { UserError } from "../../config/user-error.ts";

export interface SweepAxis {
  readonly key: string;
  readonly values: readonly string[];
}

const MAX_COMBINATIONS = 10_000;

export function parseSweepAxes(specs: readonly string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const key = eq === -1 ? "" : spec.slice(0, eq).trim();
    const values = eq === -1 ? [] : spec.slice(eq + 1).split(",").map((value) => value.trim()).filter((value) => value !== "");
    if (key === "" || values.length === 0) throw new UserError(`--sweep was '${spec}', expected key=v1,v2,... (e.g. hedge.threshold_shares=10,25,50)`);
    if (axes.some((axis) => axis.key === key)) throw new UserError(`--sweep names ${key} twice, expected each key once`);
    axes.push({ key, values });
  }
  const combinations = axes.reduce((product, axis) => product * axis.values.length, 1);
  if (combinations > MAX_COMBINATIONS) throw new UserError(`--sweep grid has ${combinations} combinations, expected at most ${MAX_COMBINATIONS}`);
  return axes;
}

/** Each combination as `key=value` assignments, first axis varying slowest. */
export function sweepCombinations(axes: readonly SweepAxis[]): string[][] {
  let combos: string[][] = [[]];
  for (const axis of axes) combos = combos.flatMap((combo) => axis.values.map((value) => [...combo, `${axis.key}=${value}`]));
  return combos;
}
