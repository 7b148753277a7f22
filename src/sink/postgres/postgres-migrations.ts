import init from "../../../sql/postgres/001_init.sql" with { type: "text" };
import type { Migration } from "../migration.ts";

export const POSTGRES_MIGRATIONS: readonly Migration[] = [{ version: 1, name: "001_init", sql: init }];
