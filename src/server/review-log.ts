// The one JSON line per review (SPEC: uid, kind, namespace/name, operation, decision, reasons,
// latency), written by the process logger through pino's public API: a child logger without the
// redaction paths. The entry holds names, codes and numbers, never an object, so there is nothing to
// redact; pino's redaction walks every logged object, and skipping it keeps the line cheap without
// reaching into pino's internals (docs/benchmarks.md measures what the line costs).
import type { Logger } from 'pino';

export interface ReviewLogEntry {
  endpoint: string;
  uid: string;
  kind: string;
  namespace?: string;
  name?: string;
  operation: string;
  dryRun: boolean;
  decision: string;
  skipped?: string;
  reasons: string[];
  warnings: number;
  latencyMs: number;
}

export const REVIEW_MESSAGE = 'admission review';

/** A writer of review lines through `logger` (a pino logger made by createLogger, or a child of one). */
export function reviewLineWriter(logger: Logger): (e: ReviewLogEntry) => void {
  const log = logger.child({}, { redact: [] });
  return (e) => log.info(e, REVIEW_MESSAGE);
}
