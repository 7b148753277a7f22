// Console output of the daemon: `[Daemon] state=RUNNING ...` lines for people, or one JSON
// object per line for journald / log collectors (`--log-format json`).
export type LogFormat = "text" | "json";
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface DaemonLog {
  log(level: LogLevel, state: string, message: string, fields?: LogFields): void;
}

export function consoleDaemonLog(
  format: LogFormat,
  minLevel: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): DaemonLog {
  return {
    log(level, state, message, fields = {}) {
      if (LEVEL_ORDER[level] < LEVEL_ORDER[minLevel]) return;
      if (format === "json") {
        write(JSON.stringify({ ts: new Date().toISOString(), level, component: "daemon", state, message, ...fields }));
        return;
      }
      const extra = Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => ` ${key}=${typeof value === "string" && value.includes(" ") ? JSON.stringify(value) : String(value)}`)
        .join("");
      const tag = level === "info" ? "" : ` level=${level}`;
      write(`[Daemon] state=${state}${tag} ${message}${extra}`);
    },
  };
}

/** Collects lines in memory (tests, `gs check`). */
export function memoryDaemonLog(lines: string[]): DaemonLog {
  return consoleDaemonLog("text", "debug", (line) => lines.push(line));
}
