import { defineCommand } from "citty";
import { notYetAvailable } from "../not-yet-available.ts";

export default defineCommand({
  run() {
    notYetAvailable("gs check-config");
  },
});
