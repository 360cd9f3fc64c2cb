// The load generator, in a process of its own so that it does not share the server's event loop:
// autocannon against one URL with one body, reporting throughput and the latency of every response
// (autocannon's own histogram rounds to whole milliseconds, too coarse for sub-ms webhooks).
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  body: string;
  connections: number;
  durationS: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const latencies: number[] = [];
const instance = autocannon({
  url: spec.url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: spec.body,
  connections: spec.connections,
  duration: spec.durationS,
  pipelining: 1,
});
instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
instance.on('done', (r: autocannon.Result) => {
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  process.stdout.write(
    JSON.stringify({
      rps: r.requests.total / r.duration,
      total: r.requests.total,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      p50: pct(50),
      p99: pct(99),
    }) + '\n',
  );
});
