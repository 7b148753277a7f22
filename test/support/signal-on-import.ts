// Preload (bun --preload) that sends this process SIGTERM while the module whose path ends in
// $GS_TEST_SIGTERM_ON_IMPORT is being imported: a stop arriving at a chosen point of start-up.
import { plugin } from "bun";

const suffix = process.env.GS_TEST_SIGTERM_ON_IMPORT ?? "";

plugin({
  name: "sigterm-on-import",
  setup(build) {
    if (suffix === "") return;
    build.onLoad({ filter: new RegExp(`${suffix.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`) }, async (args) => {
      process.kill(process.pid, "SIGTERM");
      // Let the signal be handled while this import is still pending.
      await Bun.sleep(100);
      return { contents: await Bun.file(args.path).text(), loader: "ts" };
    });
  },
});
