// The one JSON line per review (SPEC: uid, kind, namespace/name, operation, decision, reasons,
// latency), written without pino's generic serializer: on the admission path pino's per-key
// serialization cost as much as the rest of the shell (docs/benchmarks.md). The line is the one the
// process logger would write, byte for byte — its level label, timestamp function, bindings and
// stream are the logger's own (pino.symbols) — so log pipelines see one format; the test
// test/server/review-log.test.ts holds both to that.
import { pino, type Logger } from 'pino';

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

interface PinoInternals {
  [key: symbol]: unknown;
}

/** A writer of review lines through `logger` (a pino logger made by createLogger, or a child of one). */
export function reviewLineWriter(logger: Logger): (e: ReviewLogEntry) => void {
  const internals = logger as unknown as PinoInternals;
  const stream = internals[pino.symbols.streamSym] as { write(line: string): unknown } | undefined;
  const time = internals[pino.symbols.timeSym] as (() => string) | undefined;
  const bindings = internals[pino.symbols.chindingsSym];
  // anything unexpected (another logger implementation): let pino write it
  if (!stream || typeof stream.write !== 'function' || typeof time !== 'function' || typeof bindings !== 'string') {
    return (e) => logger.info(e, REVIEW_MESSAGE);
  }
  const str = JSON.stringify;
  return (e) => {
    if (!logger.isLevelEnabled('info')) return;
    let line = `{"level":"info"${time()}${bindings},"endpoint":${str(e.endpoint)},"uid":${str(e.uid)},"kind":${str(e.kind)}`;
    if (e.namespace !== undefined) line += `,"namespace":${str(e.namespace)}`;
    if (e.name !== undefined) line += `,"name":${str(e.name)}`;
    line += `,"operation":${str(e.operation)},"dryRun":${e.dryRun},"decision":${str(e.decision)}`;
    if (e.skipped !== undefined) line += `,"skipped":${str(e.skipped)}`;
    line += `,"reasons":${str(e.reasons)},"warnings":${str(e.warnings)},"latencyMs":${str(e.latencyMs)},"msg":"${REVIEW_MESSAGE}"}\n`;
    stream.write(line);
  };
}
