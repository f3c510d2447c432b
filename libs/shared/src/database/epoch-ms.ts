/** bigint epoch-millisecond columns come back from pg as strings: read them as numbers (TypeORM column transformer). */
export const epochMs = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null || value === undefined ? null : Number(value)),
};
