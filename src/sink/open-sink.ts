// Opens the configured sink and applies pending migrations. Failures become one clear
// message naming the config key and the target (URL password masked), never a stack.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { maskSecret } from "../config/secret-mask.ts";
import type { GsConfig } from "../config/schema.ts";
import { UserError } from "../config/user-error.ts";
import type { Sink } from "./port.ts";
import { PostgresSink } from "./postgres/postgres-sink.ts";
import type { WritePathOptions } from "./queued-sink.ts";
import { SpoolOpenError } from "./spool.ts";
import { SqliteSink } from "./sqlite/sqlite-sink.ts";

/**
 * The sink could not be opened or migrated; the message says which and where. `stage`
 * tells a caller what retrying can fix: "config" never, "open"/"migrate" perhaps (the
 * database may be down or still starting), "spool" likely, whatever the sink (the disk
 * under status.spool_path is full or failing).
 */
export class SinkOpenError extends UserError {
  constructor(
    message: string,
    readonly stage: "config" | "open" | "migrate" | "spool",
  ) {
    super(message);
    this.name = "SinkOpenError";
  }
}

export async function openSink(config: GsConfig): Promise<Sink> {
  const status = config.status;
  const writePath: WritePathOptions = {
    spoolPath: status.spool_path,
    capacityRows: status.queue_max_rows,
    batchRows: status.batch_max_rows,
    flushIntervalMs: status.flush_interval_ms,
  };
  switch (status.sink) {
    case "sqlite":
      return openAndMigrate(`SQLite database ${status.sqlite.path} (status.sqlite.path)`, () =>
        SqliteSink.open({ ...writePath, path: status.sqlite.path }),
      );
    case "postgres": {
      const url = status.postgres.url;
      checkPostgresUrl(url);
      return openAndMigrate(`PostgreSQL at ${maskSecret(url)} (status.postgres.url)`, () =>
        PostgresSink.open({ ...writePath, url, poolSize: status.postgres.max_connections }),
        url,
      );
    }
    default: {
      const unreachable: never = status.sink;
      throw new SinkOpenError(`status.sink was ${JSON.stringify(unreachable)}, expected "sqlite" or "postgres"`, "config");
    }
  }
}

/**
 * For commands that only read or queue (gs status, stats, ctl, data list): a SQLite file that
 * is not there means the wrong directory or config. Creating it would show an empty history,
 * and a command queued there would wait for any daemon later started in that directory.
 */
export async function openExistingSink(config: GsConfig): Promise<Sink> {
  const path = config.status.sqlite.path;
  if (config.status.sink === "sqlite" && path !== ":memory:" && !existsSync(path)) {
    throw new SinkOpenError(
      `status.sqlite.path was ${path} (${resolve(path)}), which does not exist: expected the database gs daemon writes; run from the daemon's working directory or pass --config`,
      "config",
    );
  }
  return openSink(config);
}

function checkPostgresUrl(url: string): void {
  const expected = "expected a URL like postgres://user:password@host:5432/database (GS_STATUS_POSTGRES_URL also sets it)";
  if (url === "") throw new SinkOpenError(`status.postgres.url was empty with status.sink = "postgres", ${expected}`, "config");
  let protocol = "";
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new SinkOpenError(`status.postgres.url was not a URL (${maskSecret(url)}), ${expected}`, "config");
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    throw new SinkOpenError(`status.postgres.url had scheme ${protocol}, ${expected}`, "config");
  }
}

async function openAndMigrate(target: string, open: () => Sink, secretUrl?: string): Promise<Sink> {
  let sink: Sink;
  try {
    sink = open();
  } catch (error) {
    // The spool is set up while the sink opens, but a bad status.spool_path is not the database's fault.
    if (error instanceof SpoolOpenError) {
      const [stage, expected] = error.transient ? (["spool", "expected free space there (waiting may help)"] as const) : (["config", "expected a writable file path"] as const);
      throw new SinkOpenError(`cannot use the spool file ${error.preferredPath} (status.spool_path): ${error.reason}; ${expected}`, stage);
    }
    throw new SinkOpenError(`cannot open ${target}: ${describe(error, secretUrl)}`, "open");
  }
  try {
    await sink.migrate();
    return sink;
  } catch (error) {
    await sink.close().catch(() => {});
    const refusal = refusalNotCuredByWaiting(error);
    if (refusal !== null) throw new SinkOpenError(`cannot use ${target}: ${describe(error, secretUrl)}; ${refusal}`, "config");
    throw new SinkOpenError(`cannot migrate ${target}: ${describe(error, secretUrl)}`, "migrate");
  }
}

/**
 * PostgreSQL answered and refused for a reason waiting will not cure (by SQLSTATE): a
 * configuration mistake, to report at once, where an unreachable or starting server is waited for.
 */
const REFUSALS_NOT_CURED_BY_WAITING: Readonly<Record<string, string>> = {
  "28000": "expected a user the server lets in from this host (check the URL's user and pg_hba.conf)",
  "28P01": "expected the user's password in status.postgres.url (or GS_STATUS_POSTGRES_URL)",
  "3D000": "expected an existing database in the URL's path (create it: createdb, or CREATE DATABASE)",
  "42501": "expected a user allowed to create gs's tables in that database (GRANT CREATE, or the database owner)",
};

function refusalNotCuredByWaiting(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? (REFUSALS_NOT_CURED_BY_WAITING[code] ?? null) : null;
}

/** The driver's message, with any trace of the URL or its password replaced by the masked URL. */
function describe(error: unknown, secretUrl: string | undefined): string {
  const code = (error as { code?: unknown } | null)?.code;
  let message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && !message.includes(code)) message = `${message} (${code})`;
  if (secretUrl !== undefined) {
    message = message.split(secretUrl).join(maskSecret(secretUrl));
    const password = safePassword(secretUrl);
    if (password !== "") message = message.split(password).join("****");
  }
  return message;
}

function safePassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return "";
  }
}
