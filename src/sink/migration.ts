// A numbered schema migration, embedded in the executable as text.
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Migrations not yet applied, in version order. */
export function pendingMigrations(all: readonly Migration[], applied: ReadonlySet<number>): Migration[] {
  return [...all].sort((a, b) => a.version - b.version).filter((migration) => !applied.has(migration.version));
}
