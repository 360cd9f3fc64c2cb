// HTTPS listener with the timeouts a webhook needs against slow or stuck clients, and a graceful
// drain for SIGTERM: stop accepting, let the reviews in flight finish, close idle keep-alive
// connections, hard-stop after a deadline. The API server retries on another endpoint when a
// connection is refused, but a review cut mid-flight is a failed admission (or a fail-open).
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { clientAuthFailure, sendUnauthorized } from './client-auth.js';
import { TLS_CIPHERS, TLS_MIN_VERSION } from './tls.js';

export type TlsSource =
  /** PEM key and certificate (chain) */
  | { key: string | Buffer; cert: string | Buffer }
  /**
   * Called once at start for the initial key/cert; afterwards the TLS reloader (src/server/tls.ts)
   * rotates by calling RunningServer.setSecureContext (or server.setSecureContext) directly.
   */
  | { secureContextProvider: () => SecureContextOptions };

export interface ServerTimeouts {
  /** time to receive the complete request headers (default 10 s) */
  headersTimeoutMs?: number;
  /** time to receive the complete request, headers and body (default 10 s) */
  requestTimeoutMs?: number;
  /** idle time of a keep-alive connection between requests (default 30 s) */
  keepAliveTimeoutMs?: number;
  /** socket inactivity before it is destroyed (default 60 s) */
  socketTimeoutMs?: number;
  /** TLS handshake must complete within this (default 10 s) */
  handshakeTimeoutMs?: number;
  /** how often Node checks headers/request timeouts (default 1 s; Node's own is 30 s) */
  checkIntervalMs?: number;
}

export interface StartServerOptions {
  port: number;
  /** default: all interfaces */
  host?: string;
  tls: TlsSource;
  app: (req: IncomingMessage, res: ServerResponse) => void;
  logger: Logger;
  /** how long close() waits for in-flight requests before cutting connections (default 20 s) */
  shutdownTimeoutMs?: number;
  timeouts?: ServerTimeouts;
  /** default 64; an AdmissionReview POST from the API server carries a handful */
  maxHeadersCount?: number;
  /**
   * PEM CA(s) for client certificates (`--client-ca`): every path but the probes' then needs a
   * client certificate signed by it (src/server/client-auth.ts).
   */
  clientCa?: string | Buffer;
}

export interface RunningServer {
  /** the listener, for setSecureContext and tests */
  readonly server: https.Server;
  readonly address: AddressInfo;
  /** https://host:port */
  readonly url: string;
  /** requests received whose response has not finished */
  inFlight(): number;
  /** rotate the serving certificate; new handshakes use it, open connections keep theirs */
  setSecureContext(options: SecureContextOptions): void;
  /** graceful drain (idempotent): resolves when every connection is closed */
  close(): Promise<void>;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000;

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { logger } = opts;
  const t = opts.timeouts ?? {};
  const requestTimeout = t.requestTimeoutMs ?? 10_000;
  // Node refuses headersTimeout > requestTimeout
  const headersTimeout = Math.min(t.headersTimeoutMs ?? 10_000, requestTimeout > 0 ? requestTimeout : Infinity);
  const keepAliveTimeout = t.keepAliveTimeoutMs ?? 30_000;
  const socketTimeout = t.socketTimeoutMs ?? 60_000;
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const tlsOptions: SecureContextOptions = 'secureContextProvider' in opts.tls ? opts.tls.secureContextProvider() : { key: opts.tls.key, cert: opts.tls.cert };

  // A secure context replaced later (certificate rotation) must keep the cipher list and the client CA.
  const contextExtras: SecureContextOptions = {
    minVersion: TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
    ...(opts.clientCa !== undefined ? { ca: opts.clientCa } : {}),
  };
  const server = https.createServer({
    ...tlsOptions,
    ...contextExtras,
    // Ask for a client certificate but let the handshake finish without one: the kubelet's probes
    // have none; the review paths are refused per request instead (client-auth.ts).
    ...(opts.clientCa !== undefined ? { requestCert: true, rejectUnauthorized: false } : {}),
    handshakeTimeout: t.handshakeTimeoutMs ?? 10_000,
    // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval (30 s by
    // default), which would let a slow client hold a socket far past the timeout.
    connectionsCheckingInterval: t.checkIntervalMs ?? 1_000,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout,
  });
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  server.keepAliveTimeout = keepAliveTimeout;
  server.timeout = socketTimeout;
  server.maxHeadersCount = opts.maxHeadersCount ?? 64;

  // Track what close() has to wait for: requests in flight and every socket (including ones still
  // in the TLS handshake, which Node's own connection list does not know about yet).
  let inFlight = 0;
  let draining = false;
  const sockets = new Set<Socket>();
  const idleWaiters = new Set<() => void>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const active = new Set<ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    active.add(res);
    // During the drain, tell keep-alive clients not to reuse this connection.
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight--;
      active.delete(res);
      if (inFlight === 0) for (const w of [...idleWaiters]) w();
    });
    if (opts.clientCa !== undefined) {
      const failure = clientAuthFailure(req);
      if (failure !== undefined) {
        logger.debug({ remote: req.socket.remoteAddress, path: (req.url ?? '').slice(0, 100) }, 'request without an accepted client certificate refused');
        req.resume(); // drain the body so the 401 reaches the client
        sendUnauthorized(res, failure);
        return;
      }
    }
    opts.app(req, res);
  });
  server.on('tlsClientError', (err: Error, socket) => {
    logger.debug({ err: { message: err.message }, remote: socket.remoteAddress }, 'TLS handshake failed');
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // What Node does without a listener (answer 400/408/431 where it still can, then destroy),
    // plus a debug line; never log err.rawPacket, it holds request bytes.
    logger.debug({ code: err.code, message: err.message }, 'client error');
    if (socket.writable && socket.bytesWritten === 0) {
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port: opts.port, host: opts.host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'server error'));

  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info({ address: address.address, port: address.port, tls: 'TLSv1.2+', clientCertificates: opts.clientCa !== undefined ? 'required (probes excepted)' : 'not required' }, 'listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      const started = Date.now();
      logger.info({ inFlight }, 'draining: no new connections, waiting for in-flight requests');
      for (const res of active) if (!res.headersSent) res.setHeader('Connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();

      const drained = inFlight === 0 ? true : await waitIdle(shutdownTimeoutMs);
      if (drained) {
        // Nothing is in flight: end what is left (idle keep-alive connections, handshakes, clients
        // that never sent a request) politely, and give them a moment before cutting them.
        server.closeIdleConnections();
        for (const s of sockets) s.end();
        await Promise.race([closed, delay(Math.min(1_000, shutdownTimeoutMs))]);
      } else {
        logger.warn({ inFlight, timeoutMs: shutdownTimeoutMs }, 'drain timed out: closing connections with requests in flight');
        server.closeAllConnections();
      }
      for (const s of sockets) s.destroy();
      await closed;
      logger.info({ drainMs: Date.now() - started, drained }, 'server closed');
    })();
    return closing;
  };

  function waitIdle(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        idleWaiters.delete(onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      idleWaiters.add(onIdle);
    });
  }

  return {
    server,
    address,
    url: `https://${hostForUrl}:${address.port}`,
    inFlight: () => inFlight,
    setSecureContext: (options) => server.setSecureContext({ ...options, ...contextExtras }),
    close,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export interface SignalHandlerOptions {
  /** default process.exit; tests replace it */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/**
 * SIGTERM/SIGINT → drain → exit 0. A second signal during the drain exits at once (1), for the
 * operator pressing Ctrl-C twice. Returns a function that removes the handlers.
 */
export function installSignalHandlers(running: RunningServer, logger: Logger, opts: SignalHandlerOptions = {}): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal during drain: exiting now');
      exit(1);
      return;
    }
    received = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
