// The process logger: pino, one JSON object per line on stdout, for kubectl logs and log shippers.
// Admission objects are never logged: a Deployment's pod template carries env values, which can be
// secrets. Callers log names, kinds and reason codes; the redaction below is a second line of defence.
import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';

export const SERVICE_NAME = 'gpu-hpa-webhook';

export interface LoggerOptions {
  /** trace|debug|info|warn|error|fatal|silent (default info) */
  level?: string;
  /** where lines go (default stdout, a turn's lines written together); tests pass a stream to read them back */
  destination?: DestinationStream;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/**
 * `,"time":"2026-11-22T13:45:01.123Z"`, as pino's isoTime writes it, with the part up to the second
 * formatted once per second: Date#toISOString was a fifth of the cost of a review's log line.
 */
export function isoTimeCached(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20); // "2026-11-22T13:45:01."
  }
  const ms = now - second * 1000;
  return `,"time":"${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}
let cachedSecond = -1;
let cachedPrefix = '';

/**
 * Lines written in one turn of the event loop, handed to the inner destination as one string when
 * the turn ends (setImmediate), and at once if the process exits. Under load a burst of reviews
 * costs one write(2) instead of one per line — a synchronous write per line was over half of a
 * review line's cost, and sonic-boom's own asynchronous mode re-measures its whole pending buffer
 * on every line (docs/benchmarks.md). At most one turn's lines are held, so a SIGKILL loses no more.
 */
export interface BatchedDestination extends DestinationStream {
  /** write what is pending now (also run on process exit) */
  flush(): void;
}

export function batchedDestination(inner: { write(chunk: string): unknown }): BatchedDestination {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    inner.write(chunk);
  };
  process.on('exit', flush);
  return {
    write(line: string) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** stdout: pino's synchronous sonic-boom (EAGAIN retried, never a lost line), fed a turn's lines at once. */
export function stdoutDestination(): DestinationStream {
  return batchedDestination(pino.destination({ dest: 1, sync: true }));
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  if (!LEVELS.has(level)) throw new Error(`log level "${level}" is not one of ${[...LEVELS].join(', ')}`);
  const options: pino.LoggerOptions = {
    level,
    base: { service: SERVICE_NAME, pid: process.pid, hostname: hostname() },
    timestamp: isoTimeCached,
    // "level":"info" rather than 30: what log pipelines and humans grep for
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
    redact: {
      paths: ['object', 'oldObject', 'body', '*.object', '*.oldObject', '*.body', 'request.object', 'request.oldObject'],
      remove: true,
    },
  };
  return pino(options, opts.destination ?? stdoutDestination());
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
