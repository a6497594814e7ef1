// snappyjs ships no types: the two functions the ingest benchmark calls.
declare module "snappyjs" {
  const snappy: {
    /** Snappy block format, as Prometheus remote write sends it. */
    compress<T extends Uint8Array>(input: T): T;
    uncompress<T extends Uint8Array>(input: T, maxLength?: number): T;
  };
  export default snappy;
}
