// The `moa` program (bin/moa.js, `npm run moa`): reads .env, runs the CLI, exits with its code.
import { config as loadDotenv } from "dotenv";
import { main } from "./cli.js";

loadDotenv({ quiet: true });
// `moa ask ... | head`: a closed pipe means the reader has what it wants.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  process.exit(error.code === "EPIPE" ? 0 : 1);
});
const code = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr });
// Exit once output is flushed; idle keep-alive sockets must not hold the process open.
process.stdout.write("", () => process.exit(code));
