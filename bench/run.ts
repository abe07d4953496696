// `npm run bench`: runs every section in order. Add a section by writing a `BenchSection`
// in its own file under bench/ and listing it below.
import { availableParallelism, loadavg } from "node:os";
import { admissionBench } from "./admission.js";
import { agreementBench } from "./agreement.js";
import { deliveryBench } from "./delivery.js";
import { engineBench } from "./engine.js";
import { nativeBench } from "./native.js";
import { opsBench } from "./ops.js";
import type { BenchSection } from "./section.js";
import { slackBench } from "./slack.js";

const all: BenchSection[] = [
  engineBench,
  slackBench,
  opsBench,
  admissionBench,
  deliveryBench,
  agreementBench,
  nativeBench,
];
// `npm run bench -- slack` runs only the sections whose names contain an argument.
const wanted = process.argv.slice(2).map((a) => a.toLowerCase());
const sections =
  wanted.length === 0
    ? all
    : all.filter((s) => wanted.some((w) => s.name.toLowerCase().includes(w)));

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
