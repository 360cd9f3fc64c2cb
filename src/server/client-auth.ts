// Optional mutual TLS for the review endpoints (`serve --client-ca FILE`): only a client that shows a
// certificate signed by that CA — the API server, with the client certificate its
// AdmissionConfiguration's kubeConfigFile names for this webhook — may send AdmissionReviews.
//
// The listener asks every client for a certificate but does not refuse the handshake without one
// (requestCert: true, rejectUnauthorized: false), because the kubelet's HTTPS probes never present
// one: /healthz and /readyz stay open, and every other path is checked here, per request, against
// the verdict OpenSSL reached for the connection (socket.authorized / authorizationError).
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { TlsFileError } from './tls.js';

/** The paths the kubelet probes; everything else needs a client certificate when --client-ca is set. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

function pathOf(url: string | undefined): string {
  const u = url ?? '';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/**
 * Why this request may not proceed, or undefined when it may: a probe path, or a connection whose
 * client certificate chains to the client CA.
 */
export function clientAuthFailure(req: IncomingMessage): string | undefined {
  const path = pathOf(req.url);
  if (PROBE_PATHS.has(path)) return undefined;
  const socket = req.socket as TLSSocket;
  if (socket.authorized === true) return undefined;
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  const shown = peer !== undefined && peer !== null && Object.keys(peer).length > 0;
  const why = shown ? `the client certificate was not accepted (${String(socket.authorizationError ?? 'unknown error')})` : 'no client certificate was presented';
  return `${path.slice(0, 100)} requires a client certificate signed by the CA given with --client-ca (the API server's, set in its AdmissionConfiguration kubeConfigFile): ${why}`;
}

/** Answers 401 with a metav1.Status, as the API server itself answers an unauthenticated request. */
export function sendUnauthorized(res: ServerResponse, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 401, reason: 'Unauthorized', message });
  res.writeHead(401, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

/**
 * Reads --client-ca: one or more PEM certificates, each a CA. Errors name the file and what is
 * wrong (a usage error at start: better than a listener that refuses the API server forever).
 */
export async function readClientCa(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TlsFileError(path, `cannot read --client-ca ${path}: ${code === 'ENOENT' ? 'file not found' : (err as Error).message}`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TlsFileError(path, `--client-ca ${path} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----")`);
  blocks.forEach((pem, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (err) {
      throw new TlsFileError(path, `--client-ca ${path}: certificate ${i + 1} is not valid PEM: ${(err as Error).message}`);
    }
    if (!cert.ca)
      throw new TlsFileError(
        path,
        `--client-ca ${path}: certificate ${i + 1} (${cert.subject.replace(/\n/g, ', ')}) is not a CA (basicConstraints CA:FALSE); give the CA that signed the API server's client certificate`,
      );
  });
  return blocks.join('\n') + '\n';
}
