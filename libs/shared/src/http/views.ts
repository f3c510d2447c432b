/** Drops the keys whose value is undefined: a JSON view leaves absent values out instead of sending nulls. */
export function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
