// `gs status`: the /status view of one daemon, as a table (or --json, the exact /status
// document), from a running server (--server) or straight from the configured sink.
import { defineCommand } from "citty";
import { CONFIG_ARGS, loadConfigFromArgs } from "../config-args.ts";

export default defineCommand({
  args: {
    ...CONFIG_ARGS,
    json: { type: "boolean", description: "Print the /status JSON document instead of a table" },
    server: { type: "string", valueHint: "URL", description: "Ask a running gs serve (e.g. http://127.0.0.1:8765) instead of reading the sink" },
    token: { type: "string", valueHint: "TOKEN", description: "Bearer token for --server (visible in ps; prefer GS_SERVER_TOKEN or server.token_file)" },
    "daemon-id": { type: "string", valueHint: "ID", description: "Daemon to show (default: the most recently updated)" },
  },
  async run(context) {
    const loaded = loadConfigFromArgs(context);
    const { openOperatorChannel } = await import("../../server/operator-channel.ts");
    const { renderStatusTable } = await import("../../server/status-table.ts");
    const opened = await openOperatorChannel(loaded.config, context.args.server, context.args.token);
    try {
      const view = await opened.channel.status(context.args["daemon-id"] ?? null);
      process.stdout.write(context.args.json ? `${JSON.stringify(view, null, 2)}\n` : renderStatusTable(view, process.stdout.isTTY === true && process.env.NO_COLOR === undefined));
    } finally {
      await opened.close();
    }
  },
});
