// /metrics on a port of its own (`serve --metrics-port`, default 8080), away from the review port
// the API server calls: the NetworkPolicy can then admit the review port only from the API server
// and the metrics port only from the monitoring namespace, and turning on client certificates for
// reviews (--client-ca) does not lock Prometheus out.
//
// Plain HTTP, on purpose: Prometheus scrapes pods over HTTP without any set-up (a PodMonitor or the
// usual pod annotations), where HTTPS would need it to trust this webhook's private CA; and the
// page holds no secret and no tenant's data — counters labelled by endpoint, kind, decision and
// reason code, all bounded sets. Who may reach it is the NetworkPolicy's business.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  readonly address: AddressInfo;
  /** http://host:port */
  readonly url: string;
  close(): Promise<void>;
}

/** The request handler: GET or HEAD /metrics; 405 for another method, 404 for another path. */
export function metricsHandler(registry: Registry): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const text = (code: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    req.resume(); // no request body is read here
    if (path !== '/metrics') return text(404, `no route for ${path.slice(0, 200)}: this port serves GET /metrics only\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, `method ${String(req.method).slice(0, 20)} is not allowed on /metrics; use GET\n`, { Allow: 'GET, HEAD' });
    registry.metrics().then(
      (body) => text(200, body, { 'Content-Type': registry.contentType }),
      (err: unknown) => text(500, `collecting metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  };
}

export async function startMetricsServer(o: { port: number; host?: string; registry: Registry; logger: Logger }): Promise<MetricsServer> {
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 10_000, keepAliveTimeout: 30_000 }, metricsHandler(o.registry));
  server.maxHeadersCount = 64;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.port, host: o.host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => o.logger.error({ err }, 'metrics server error'));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  o.logger.info({ address: address.address, port: address.port }, 'metrics listening (plain HTTP, GET /metrics)');
  let closing: Promise<void> | undefined;
  return {
    address,
    url: `http://${host}:${address.port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // a scrape is short; nothing here is worth waiting for
        for (const s of sockets) s.destroy();
      })),
  };
}
