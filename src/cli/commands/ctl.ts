// `gs ctl <command>`: queue stop, pause, resume, flatten, retry-broker or accept-position for a
// daemon and wait until the daemon consumed it, through a server (--server) or the sink directly.
import { defineCommand } from "citty";
import { UserError } from "../../config/user-error.ts";
import { CONFIG_ARGS, loadConfigFromArgs } from "../config-args.ts";

const POLL_MS = 500;

export default defineCommand({
  args: {
    ...CONFIG_ARGS,
    command: { type: "positional", required: true, valueHint: "stop|pause|resume|flatten|retry-broker|accept-position", description: "What the daemon should do" },
    confirm: { type: "boolean", description: "Required for flatten (closes all hedge stock at market; refused under a hard block) and accept-position (takes the broker's stock as the hedge)" },
    server: { type: "string", valueHint: "URL", description: "Send through a running gs serve (e.g. http://127.0.0.1:8765) instead of writing to the sink" },
    token: { type: "string", valueHint: "TOKEN", description: "Bearer token for --server (visible in ps; prefer GS_SERVER_TOKEN or server.token_file)" },
    "daemon-id": { type: "string", valueHint: "ID", description: "Target daemon (default: status.daemon_id)" },
    reason: { type: "string", valueHint: "TEXT", description: "Why, kept with the command for the audit trail" },
    wait: { type: "boolean", default: true, description: "Wait until the daemon consumed the command (--no-wait to return at once)" },
    timeout: { type: "string", default: "30", valueHint: "SECONDS", description: "How long --wait waits" },
  },
  async run(context) {
    const { CONFIRM_NEEDED, CONTROL_PATHS } = await import("../../server/control-view.ts");
    const path = CONTROL_PATHS.find((candidate) => candidate === context.args.command);
    if (path === undefined) throw new UserError(`command was ${JSON.stringify(context.args.command)}, expected one of: ${CONTROL_PATHS.join(", ")}`);
    const why = CONFIRM_NEEDED[path];
    if (why !== undefined && context.args.confirm !== true) throw new UserError(`${why}: add --confirm to send it`);
    const timeoutS = Number(context.args.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UserError(`--timeout was ${JSON.stringify(context.args.timeout)}, expected a positive number of seconds`);
    const body = {
      ...(why === undefined ? {} : { confirm: true }),
      ...(context.args["daemon-id"] === undefined ? {} : { daemon_id: context.args["daemon-id"] }),
      ...(context.args.reason === undefined ? {} : { reason: context.args.reason }),
    };
    // The same body check as POST /control/{command}, so both channels refuse the same input.
    const { InputError, validate } = await import("../../server/http-input.ts");
    const { CONTROL_BODY_SCHEMA } = await import("../../server/control-view.ts");
    try {
      validate(CONTROL_BODY_SCHEMA, body, "body");
    } catch (error) {
      throw error instanceof InputError ? new UserError(`--${error.field.replace("_", "-")}: ${error.message}`) : error;
    }
    const loaded = loadConfigFromArgs(context);
    const { openOperatorChannel } = await import("../../server/operator-channel.ts");
    const opened = await openOperatorChannel(loaded.config, context.args.server, context.args.token);
    try {
      const receipt = await opened.channel.issueControl(path, body, `gs ctl ${process.env.USER ?? "unknown"}@${process.pid}`);
      process.stdout.write(`${path} queued as #${receipt.id} for daemon ${receipt.daemon_id} via ${opened.target}\n`);
      if (!context.args.wait) return;
      const deadline = Date.now() + timeoutS * 1000;
      while (Date.now() < deadline) {
        const control = await opened.channel.control(receipt.id);
        if (control?.consumed === true && control.result !== null) {
          process.stdout.write(`daemon ${receipt.daemon_id}: ${control.result}\n`);
          if (/^(rejected|failed)/.test(control.result)) process.exitCode = 1;
          return;
        }
        await Bun.sleep(POLL_MS);
      }
      process.stderr.write(`gs: #${receipt.id} was not consumed within ${timeoutS} s; it stays queued. Is daemon ${receipt.daemon_id} running (gs status)?\n`);
      process.exitCode = 1;
    } finally {
      await opened.close();
    }
  },
});
