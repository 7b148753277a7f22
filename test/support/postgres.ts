// A real PostgreSQL for tests.
//
// 1. `GS_TEST_PG_URL` set (CI does): use that server.
// 2. Else, if the binaries exist in /usr/lib/postgresql/*/bin: start a throwaway cluster
//    once per test process (initdb + pg_ctl on a free loopback port with its own socket
//    dir; as the `postgres` user when running as root, since initdb refuses root), stopped
//    and deleted by a watchdog once the test process is gone (even if it was killed).
// 3. Else (or with GS_TEST_NO_PG=1): unavailable, with the reason — suites must report themselves skipped with it.
//
// Each caller of `createTestDatabase()` gets its own fresh database, so suites never share rows.
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

export type PostgresAvailability =
  | { readonly available: true; readonly source: "GS_TEST_PG_URL" | "throwaway cluster"; readonly binDir: string | null }
  | { readonly available: false; readonly reason: string };

/** Synchronous, so that suites can decide to skip at registration time. */
export function postgresAvailability(): PostgresAvailability {
  if (process.env.GS_TEST_NO_PG === "1") {
    return { available: false, reason: "PostgreSQL tests skipped: GS_TEST_NO_PG=1 is set" };
  }
  if (process.env.GS_TEST_PG_URL) return { available: true, source: "GS_TEST_PG_URL", binDir: null };
  const binDir = findPostgresBinDir();
  if (binDir !== null) return { available: true, source: "throwaway cluster", binDir };
  return {
    available: false,
    reason:
      "PostgreSQL tests skipped: GS_TEST_PG_URL is not set and no PostgreSQL binaries were found in /usr/lib/postgresql/*/bin (apt-get install postgresql)",
  };
}

function findPostgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, "bin", "initdb")) && existsSync(join(root, name, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], "bin");
}

export interface ThrowawayCluster {
  /** Superuser URL of the `postgres` database. */
  readonly adminUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server, keeping its data (start() brings it back). */
  stop(): void;
  start(): void;
  /** Stops the server and deletes its files. */
  destroy(): void;
}

let serverUrl: Promise<string> | null = null;

/** Superuser URL of the test server; starts the throwaway cluster on first call. */
export function testServerUrl(): Promise<string> {
  serverUrl ??= (async () => {
    const availability = postgresAvailability();
    if (!availability.available) throw new Error(availability.reason);
    if (availability.source === "GS_TEST_PG_URL") return String(process.env.GS_TEST_PG_URL);
    sweepOrphanedClusters(availability.binDir ?? "");
    const cluster = await startThrowawayCluster(availability.binDir ?? "", { durable: false });
    return cluster.adminUrl;
  })();
  return serverUrl;
}

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

let databaseCounter = 0;

/** A fresh, empty database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = await testServerUrl();
  databaseCounter += 1;
  const name = `gs_test_${process.pid}_${Date.now()}_${databaseCounter}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

const CLUSTER_DIR_PREFIX = "gs-pg-";
/** Pid of the process that started a cluster: once it is gone, the cluster is garbage. */
const OWNER_FILE = "owner.pid";

function isRunning(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[0];
    return state !== undefined && state !== "Z";
  } catch {
    return false;
  }
}

/**
 * Stops clusters whose starting process is gone but whose watchdog did not get to clean up
 * (it was killed too). Clusters without an owner file are left alone.
 */
function sweepOrphanedClusters(binDir: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(CLUSTER_DIR_PREFIX)) continue;
    const root = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number.parseInt(readFileSync(join(root, OWNER_FILE), "utf8"), 10);
    } catch {
      continue;
    }
    if (!Number.isFinite(owner) || isRunning(owner)) continue;
    const asRoot = process.getuid?.() === 0;
    const pgCtl = join(binDir, "pg_ctl");
    const stop = asRoot ? ["runuser", "-u", "postgres", "--", pgCtl] : [pgCtl];
    spawnSync(stop[0] ?? pgCtl, [...stop.slice(1), "-D", join(root, "data"), "-m", "immediate", "-w", "stop"], { stdio: "ignore" });
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * `bun test` fires no "exit" event and a test run may be killed, so a detached watchdog
 * shell stops the cluster and deletes its files once this process is gone.
 */
function stopWhenProcessEnds(asRoot: boolean, pgCtl: string, dataDir: string, root: string): void {
  const stop = `${asRoot ? "runuser -u postgres -- " : ""}${pgCtl} -D '${dataDir}' -m immediate -w stop`;
  // A finished test process can linger as a zombie (nothing reaps it here), which `kill -0`
  // still finds: the state letter in /proc/<pid>/stat tells.
  const alive = `[ "$(sed 's/.*) //' /proc/${process.pid}/stat 2>/dev/null | cut -d' ' -f1)" ] && [ "$(sed 's/.*) //' /proc/${process.pid}/stat 2>/dev/null | cut -d' ' -f1)" != Z ]`;
  const script = `while ${alive}; do sleep 0.5; done; ${stop} >/dev/null 2>&1; rm -rf '${root}'`;
  spawn("sh", ["-c", script], { detached: true, stdio: "ignore" }).unref();
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * initdb + pg_ctl start on a free loopback port. `durable: false` turns fsync off (tests);
 * benchmarks keep the defaults.
 */
export async function startThrowawayCluster(
  binDir: string,
  options: { readonly durable: boolean },
): Promise<ThrowawayCluster> {
  const root = mkdtempSync(join(tmpdir(), CLUSTER_DIR_PREFIX));
  writeFileSync(join(root, OWNER_FILE), String(process.pid));
  const dataDir = join(root, "data");
  const socketDir = join(root, "socket");
  mkdirSync(socketDir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gids = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (ids.status !== 0) throw new Error("running as root but there is no `postgres` user to run initdb as");
    for (const path of [root, socketDir]) chownSync(path, Number(ids.stdout), Number(gids.stdout));
  }
  const run = (tool: string, args: readonly string[]): void => {
    const command = asRoot ? "runuser" : join(binDir, tool);
    const fullArgs = asRoot ? ["-u", "postgres", "--", join(binDir, tool), ...args] : [...args];
    const result = spawnSync(command, fullArgs, { encoding: "utf8" });
    if (result.status !== 0) {
      throw new Error(`${tool} ${args.join(" ")} failed (exit ${result.status}): ${result.stderr || result.stdout}`);
    }
  };
  run("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const port = await freeLoopbackPort();
  const settings = [
    `-p ${port}`,
    `-k ${socketDir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=200",
    ...(options.durable ? [] : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]),
  ].join(" ");
  const start = (): void => run("pg_ctl", ["-D", dataDir, "-o", settings, "-l", join(root, "server.log"), "-w", "start"]);
  let running = false;
  start();
  running = true;
  stopWhenProcessEnds(asRoot, join(binDir, "pg_ctl"), dataDir, root);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start() {
      if (!running) start();
      running = true;
    },
    stop() {
      if (running) run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      running = false;
    },
    destroy() {
      if (running) run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      running = false;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface FrozenBackends {
  readonly pids: readonly number[];
  /** Lets the backends run again (SIGCONT). */
  thaw(): void;
}

/**
 * A hung database, for real: SIGSTOP the server backends serving `applicationName` on the
 * database of `url`. Their sockets stay open, nothing ever answers or errors. Needs the
 * server on this host and the right to signal it (root, or the postgres user); otherwise
 * null, and the caller skips.
 */
export async function freezeBackends(url: string, applicationName: string): Promise<FrozenBackends | null> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  let pids: number[];
  try {
    const rows = await admin`SELECT pid FROM pg_stat_activity WHERE application_name = ${applicationName} AND datname = current_database()`;
    pids = rows.map((row) => Number(row.pid));
  } finally {
    await admin.end();
  }
  try {
    for (const pid of pids) process.kill(pid, "SIGSTOP");
  } catch {
    for (const pid of pids) signalQuietly(pid, "SIGCONT");
    return null;
  }
  return { pids, thaw: () => pids.forEach((pid) => signalQuietly(pid, "SIGCONT")) };
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
