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

export function openSink(config: GsConfig): Promise<Sink> {
  return openConfiguredSink(config, false);
}

async function openConfiguredSink(config: GsConfig, existingOnly: boolean): Promise<Sink> {
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
      const target = `PostgreSQL at ${maskSecret(url)} (status.postgres.url)`;
      const open = () => PostgresSink.open({ ...writePath, url, poolSize: status.postgres.max_connections });
      return openAndMigrate(target, existingOnly ? () => existingPostgresSink(target, open, url) : open, url);
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
  if (config.status.sink === "sqlite" && (path === ":memory:" || !existsSync(path))) {
    const what = path === ":memory:" ? "an in-memory database, which holds nothing a daemon wrote" : `${path} (${resolve(path)}), which does not exist`;
    throw new SinkOpenError(`status.sqlite.path was ${what}: expected the database gs daemon writes; run from the daemon's working directory or pass --config`, "config");
  }
  return openConfiguredSink(config, true);
}

/**
 * The same for PostgreSQL: a database without gs's tables is the wrong one (another URL, a
 * new database); migrating it would create them there, with an empty history and commands
 * queued where no daemon reads.
 */
async function existingPostgresSink(target: string, open: () => PostgresSink, secretUrl: string): Promise<PostgresSink> {
  const sink = open();
  let present: boolean;
  try {
    present = await sink.hasSchema();
  } catch (error) {
    await sink.close().catch(() => {});
    throw new SinkOpenError(`cannot read ${target}: ${describe(error, secretUrl)}`, curedByWaiting(error) ? "open" : "config");
  }
  if (present) return sink;
  await sink.close().catch(() => {});
  throw new SinkOpenError(`${target} has no gs tables: expected the database gs daemon writes (check the URL's database), or run gs migrate there first`, "config");
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

async function openAndMigrate(target: string, open: () => Sink | Promise<Sink>, secretUrl?: string): Promise<Sink> {
  let sink: Sink;
  try {
    sink = await open();
  } catch (error) {
    if (error instanceof SinkOpenError) throw error;
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
    if (curedByWaiting(error)) throw new SinkOpenError(`cannot migrate ${target}: ${describe(error, secretUrl)}`, "migrate");
    throw new SinkOpenError(`cannot use ${target}: ${describe(error, secretUrl)}; ${refusalHint(error)}`, "config");
  }
}

/**
 * Whether waiting can cure a failure to reach or migrate PostgreSQL: no answer at all (refused,
 * reset, timed out, a name not resolving yet at boot), or an answer that says "not now" (by
 * SQLSTATE class or code). Any other answer from the server is a refusal that stays: a
 * configuration mistake, to report at once instead of retrying behind a unit that looks up.
 */
export function curedByWaiting(error: unknown): boolean {
  // A server's answer carries a severity and a SQLSTATE (the driver's class name is no test:
  // the compiled binary is minified); the driver's own errors (CONNECTION_CLOSED, ...) do not.
  const { severity, code } = (error ?? {}) as { severity?: unknown; code?: unknown };
  if (typeof severity !== "string" || typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return NOT_NOW_CLASSES.has(code.slice(0, 2)) || NOT_NOW_CODES.has(code);
}

/**
 * 08 connection exception, 53 insufficient resources (disk, memory, connections), 57 operator
 * intervention (shutdown, starting up, statement timeout), 40 rollback (serialization,
 * deadlock), 58 system error (an I/O error, a file the server cannot reach: its disk, not gs's configuration).
 */
const NOT_NOW_CLASSES: ReadonlySet<string> = new Set(["08", "53", "57", "40", "58"]);
/**
 * 55P03 lock not available (another migrator holds it); 25006 read-only transaction (a standby,
 * e.g. while a failover promotes another server); XX000 internal error (the server's own fault).
 */
const NOT_NOW_CODES: ReadonlySet<string> = new Set(["55P03", "25006", "XX000"]);

function refusalHint(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === "string" ? REFUSAL_HINTS[code] : undefined) ?? "expected a database where gs can create and use its own tables (an empty one, or one gs created)";
}

/** What to fix for the refusals seen most. */
const REFUSAL_HINTS: Readonly<Record<string, string>> = {
  "28000": "expected a user the server lets in from this host (check the URL's user and pg_hba.conf)",
  "28P01": "expected the user's password in status.postgres.url (or GS_STATUS_POSTGRES_URL)",
  "3D000": "expected an existing database in the URL's path (create it: createdb, or CREATE DATABASE)",
  "42501": "expected a user allowed to create gs's tables in that database (GRANT CREATE, or the database owner)",
  "42P07": "expected a database of gs's own: another application's table has one of gs's table names there",
};


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
