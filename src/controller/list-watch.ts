// A paginated list + watch of one resource in every namespace, keeping a trimmed copy of each object:
// the cache behind ClusterView and the managed-HPA controller. Written here rather than taken from
// client-node's ListWatch because that one lists in one unpaginated request (the whole list body,
// its parse tree and the typed objects at once: ~50 MiB of RSS per 1,000 realistic Deployments) and
// stores every object whole; it has no transform hook.
//
// Semantics follow client-go's reflector (tools/cache/reflector.go) and pager (tools/pager/pager.go):
// - the list is read in pages of `limit` objects following `continue`; all pages are one consistent
//   snapshot at the first page's resourceVersion (the API server guarantees it); each page is trimmed
//   (core/cache-fields.ts) and dropped before the next is asked for;
// - the watch starts at the list's resourceVersion, with bookmarks, and a server-side timeout of
//   5–10 minutes (reflector's minWatchTimeout × (1 + rand)); a timeout or a dropped connection
//   resumes from the last resourceVersion seen;
// - 410 Gone — on a `continue` (the snapshot was compacted: "continue parameter is too old"), on the
//   watch request, or as an ERROR event in the stream ("too old resource version") — means the
//   resourceVersion is no longer served: list again from scratch. client-go's pager falls back to a
//   full unpaginated list there (FullListIfExpired); this relists paginated, as the whole point is
//   never to hold the whole list;
// - a relist replaces the cache as DeltaFIFO.Replace does: objects absent from the new list are
//   deleted (with a 'delete' event), so nothing deleted while the watch was down stays behind.
// Events: 'add', 'update' (only when the resourceVersion changed), 'delete' with the trimmed object.
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export type WatchEvent = 'add' | 'update' | 'delete';

interface ObjectLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface ListWatchOptions<T> {
  kc: KubeConfig;
  /** the collection in every namespace, e.g. /apis/apps/v1/deployments */
  path: string;
  /** what to keep of each object (core/cache-fields.ts) */
  trim: (o: T) => T;
  /** objects per page (client-go's pager default: 500) */
  pageSize?: number;
  logger?: Logger;
  /** for logs and errors: "deployments" */
  what: string;
  /** told each failure, for readiness to say why the cache is not synced */
  onFailure?: (message: string) => void;
  /** watch timeout in seconds; default 300–600 at random, as client-go's reflector */
  watchTimeoutSeconds?: () => number;
  /** tests: awaited after each page of a list is stored, before the next page is asked for */
  afterPage?: (page: { index: number; items: number; more: boolean }) => Promise<void>;
  /** tests: awaited before each watch request (resume or restart) is sent */
  beforeWatch?: (resourceVersion: string) => Promise<void>;
}

/** An HTTP answer other than 200, with the API server's Status when it sent one. */
export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;

export class ListWatch<T extends ObjectLike> {
  private readonly objects = new Map<string, T>();
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly handlers: Record<WatchEvent, Array<(o: T) => void>> = { add: [], update: [], delete: [] };
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private stopped = false;
  private current?: ClientRequest;
  /** ends a backoff wait early (stop) */
  private wake?: () => void;
  private resourceVersion = '';
  private synced = false;
  /** counters for tests and logs */
  readonly stats = { lists: 0, pages: 0, relistsOnGone: 0, watches: 0 };

  constructor(private readonly o: ListWatchOptions<T>) {}

  on(event: WatchEvent, cb: (o: T) => void): void {
    this.handlers[event].push(cb);
  }

  off(event: WatchEvent, cb: (o: T) => void): void {
    const hs = this.handlers[event];
    const i = hs.indexOf(cb);
    if (i >= 0) hs.splice(i, 1);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(key(namespace, name));
  }

  /** Every object, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.objects.values()];
    const m = this.byNamespace.get(namespace);
    return m ? [...m.values()] : [];
  }

  size(): number {
    return this.objects.size;
  }

  /** Whether a full list has been read (the cache may lag behind the watch, never miss a list). */
  hasSynced(): boolean {
    return this.synced;
  }

  /**
   * Lists, then watches for as long as it is not stopped, listing again whenever the watch's
   * resourceVersion is gone. Resolves once the first list has succeeded (retrying with backoff,
   * 1 s doubling to 30 s, until then); never settles if stopped first.
   */
  start(): Promise<void> {
    return new Promise<void>((resolve) => void this.run(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.current?.destroy();
    this.wake?.();
    this.agent.destroy();
  }

  private emit(event: WatchEvent, obj: T): void {
    for (const h of this.handlers[event]) h(obj);
  }

  private put(obj: T): void {
    const ns = obj.metadata?.namespace ?? '';
    const k = key(ns, obj.metadata?.name);
    const old = this.objects.get(k);
    this.objects.set(k, obj);
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map<string, T>()));
    m.set(obj.metadata?.name ?? '', obj);
    if (!old) this.emit('add', obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj);
  }

  private remove(ns: string | undefined, name: string | undefined): void {
    const k = key(ns, name);
    const old = this.objects.get(k);
    if (!old) return;
    this.objects.delete(k);
    const m = this.byNamespace.get(ns ?? '');
    m?.delete(name ?? '');
    if (m?.size === 0) this.byNamespace.delete(ns ?? '');
    this.emit('delete', old);
  }

  private async run(listed: () => void): Promise<void> {
    let delay = 1000;
    const backoff = async (err: unknown) => {
      const message = (err as Error)?.message ?? String(err);
      this.o.onFailure?.(message);
      this.o.logger?.warn({ watch: this.o.what, retryInMs: delay, err: message }, 'list/watch failed; retrying');
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      delay = Math.min(delay * 2, 30_000);
    };
    let needList = true;
    while (!this.stopped) {
      if (needList) {
        try {
          await this.listAll();
        } catch (e) {
          if (this.stopped) break;
          await backoff(e);
          continue;
        }
        needList = false;
        delay = 1000;
        if (!this.synced) {
          this.synced = true;
          listed();
        }
      }
      try {
        await this.watch();
        delay = 1000; // ended normally (server-side timeout): resume at once
      } catch (e) {
        if (this.stopped) break;
        if (e instanceof ApiStatusError && e.code === 410) {
          this.stats.relistsOnGone++;
          this.o.logger?.info({ watch: this.o.what, resourceVersion: this.resourceVersion, err: e.message }, 'watch resourceVersion gone (410); listing again');
          needList = true;
          continue;
        }
        await backoff(e);
      }
    }
  }

  /** Every page of a fresh snapshot; objects not in it are deleted. A 410 on `continue` starts over. */
  private async listAll(): Promise<void> {
    const limit = this.o.pageSize ?? 500;
    for (;;) {
      const seen = new Set<string>();
      let cont: string | undefined;
      let rv = '';
      let index = 0;
      try {
        do {
          const q = new URLSearchParams({ limit: String(limit) });
          if (cont) q.set('continue', cont);
          const page = JSON.parse(await this.fetchText(`${this.o.path}?${q.toString()}`)) as { metadata?: { resourceVersion?: string; continue?: string }; items?: T[] };
          this.stats.pages++;
          if (!cont) rv = page.metadata?.resourceVersion ?? '';
          cont = page.metadata?.continue || undefined;
          const items: Array<T | undefined> = page.items ?? [];
          for (let i = 0; i < items.length; i++) {
            const t = this.o.trim(items[i]!);
            items[i] = undefined; // the whole object can go as soon as its trimmed copy exists
            seen.add(key(t.metadata?.namespace, t.metadata?.name));
            this.put(t);
          }
          await this.o.afterPage?.({ index: index++, items: items.length, more: cont !== undefined });
        } while (cont !== undefined && !this.stopped);
      } catch (e) {
        if (e instanceof ApiStatusError && e.code === 410 && cont !== undefined) {
          // the snapshot behind the continue token was compacted away: a fresh snapshot, from the first page
          this.stats.relistsOnGone++;
          this.o.logger?.info({ watch: this.o.what, err: e.message }, 'list continue token expired (410); listing again from the first page');
          continue;
        }
        throw e;
      }
      if (this.stopped) return;
      for (const [k, obj] of [...this.objects]) if (!seen.has(k)) this.remove(obj.metadata?.namespace, obj.metadata?.name);
      this.resourceVersion = rv;
      this.stats.lists++;
      return;
    }
  }

  /** One watch request from this.resourceVersion until the server ends it; throws ApiStatusError(410) when gone. */
  private async watch(): Promise<void> {
    await this.o.beforeWatch?.(this.resourceVersion);
    if (this.stopped) return;
    const timeout = this.o.watchTimeoutSeconds?.() ?? Math.floor(300 * (1 + Math.random()));
    const q = new URLSearchParams({ watch: 'true', allowWatchBookmarks: 'true', resourceVersion: this.resourceVersion, timeoutSeconds: String(timeout) });
    const res = await this.open(`${this.o.path}?${q.toString()}`);
    this.stats.watches++;
    if (res.statusCode !== 200) throw await statusError(res, this.o.what);
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      let failed: Error | undefined;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (failed) return;
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim() === '') continue;
          try {
            this.event(JSON.parse(line) as { type?: string; object?: unknown });
          } catch (e) {
            failed = e as Error;
            res.destroy();
            reject(failed);
            return;
          }
        }
      });
      res.on('end', () => (failed ? undefined : resolve()));
      res.on('error', (e) => reject(e));
      res.on('close', () => (failed ? undefined : res.complete ? resolve() : reject(new Error(`${this.o.what}: watch connection closed`))));
    });
  }

  private event(e: { type?: string; object?: unknown }): void {
    const obj = e.object as (T & { code?: number; message?: string; reason?: string }) | undefined;
    switch (e.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const t = this.o.trim(obj as T);
        this.put(t);
        this.resourceVersion = t.metadata?.resourceVersion ?? this.resourceVersion;
        return;
      }
      case 'DELETED':
        this.remove(obj?.metadata?.namespace, obj?.metadata?.name);
        this.resourceVersion = obj?.metadata?.resourceVersion ?? this.resourceVersion;
        return;
      case 'BOOKMARK':
        this.resourceVersion = obj?.metadata?.resourceVersion ?? this.resourceVersion;
        return;
      case 'ERROR':
        // a Status: 410 Gone ("too old resource version") when the resourceVersion is no longer served
        throw new ApiStatusError(obj?.code ?? 0, `${this.o.what}: watch error: ${obj?.message ?? JSON.stringify(obj)}`, obj?.reason);
      default:
        throw new Error(`${this.o.what}: unknown watch event type ${String(e.type)}`);
    }
  }

  private async open(path: string): Promise<IncomingMessage> {
    const cluster = this.o.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig: no current cluster');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    const opts: RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
    await this.o.kc.applyToHTTPSOptions(opts);
    const https = url.protocol === 'https:';
    return new Promise<IncomingMessage>((resolve, reject) => {
      // one kept-alive connection for every page and watch (client-node makes a new agent per call);
      // its agent only when it goes through a proxy (cluster.proxyUrl)
      const agent = cluster.proxyUrl ? opts.agent : https ? this.agent : undefined;
      const req = (https ? httpsRequest : httpRequest)(url, { ...opts, agent }, resolve);
      this.current = req;
      req.on('error', reject);
      req.end();
    });
  }

  /** A whole (page) body, or ApiStatusError for a non-200 answer. */
  private async fetchText(path: string): Promise<string> {
    const res = await this.open(path);
    if (res.statusCode !== 200) throw await statusError(res, this.o.what);
    return readBody(res);
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => (res.complete ? undefined : reject(new Error('connection closed before the body ended'))));
  });
}

async function statusError(res: IncomingMessage, what: string): Promise<ApiStatusError> {
  const body = await readBody(res).catch(() => '');
  let message = body.slice(0, 500);
  let reason: string | undefined;
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string };
    message = s.message ?? message;
    reason = s.reason;
  } catch {
    /* not a Status */
  }
  return new ApiStatusError(res.statusCode ?? 0, `${what}: HTTP ${res.statusCode}: ${message}`, reason);
}
