// The process logger: pino, one JSON object per line on stdout, for kubectl logs and log shippers.
// Admission objects are never logged: a Deployment's pod template carries env values, which can be
// secrets. Callers log names, kinds and reason codes; the redaction below is a second line of defence.
import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export const SERVICE_NAME = 'gpu-hpa-webhook';

export interface LoggerOptions {
  /** trace|debug|info|warn|error|fatal|silent (default info) */
  level?: LevelWithSilent | string;
  /** where lines go (default stdout); tests pass a stream to read them back */
  destination?: DestinationStream;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  if (!LEVELS.has(level)) throw new Error(`log level "${level}" is not one of ${[...LEVELS].join(', ')}`);
  const options: pino.LoggerOptions = {
    level,
    base: { service: SERVICE_NAME, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"info" rather than 30: what log pipelines and humans grep for
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
    redact: {
      paths: ['object', 'oldObject', 'body', '*.object', '*.oldObject', '*.body', 'request.object', 'request.oldObject'],
      remove: true,
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
