// `npm run bench`: runs every section in order. Add a section by writing a `BenchSection`
// in its own file under bench/ and listing it below.
import { availableParallelism, loadavg } from "node:os";
import { engineBench } from "./engine.js";
import type { BenchSection } from "./section.js";

const sections: BenchSection[] = [engineBench];

// Other work on the box skews every figure; the load average says how much there was.
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`;
console.log(`node ${process.version}, ${availableParallelism()} cores, ${load()}`);
for (const section of sections) {
  console.log(`\n## ${section.name}\n`);
  await section.run();
  console.log(`(${load()})`);
}
process.exit(0);
