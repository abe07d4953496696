/** One part of `npm run bench`: measures something and prints its own figures. */
export interface BenchSection {
  /** Heading printed before the section runs. */
  name: string;
  /** Runs the measurements and prints them; rejects only on a broken setup. */
  run(): Promise<void>;
}
