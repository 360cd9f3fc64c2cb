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
// - by default a full list is not read in pages at all but streamed (KEP-3157 "WatchList", client-go's
//   reflector watchList): one watch request with sendInitialEvents=true and resourceVersionMatch=NotOlderThan;
//   the API server sends every object from its watch cache as an ADDED event, then a BOOKMARK annotated
//   k8s.io/initial-events-end, and the same stream goes on as the watch. Each event is parsed and trimmed on
//   its own, so no page (4–5 MB of text and its parse tree at 500 realistic Deployments) is ever held, and
//   there is no round trip per page. A server that refuses the parameter (400/422: the WatchList feature gate
//   off) or ends the stream normally without the bookmark (a server older than 1.27 ignores it) is listed
//   in pages from then on, as client-go falls back to a LIST.
// Events: 'add', 'update' (only when the resourceVersion changed), 'delete' with the trimmed object.
import type { IncomingMessage, ClientRequest } from 'node:http';
import { Agent } from 'node:https';
import type { Logger } from 'pino';
import { ApiError, KubeClient, readBody, statusError as apiStatusError } from './kube.js';
import type { KubeConfig } from './kubeconfig.js';

export type WatchEvent = 'add' | 'update' | 'delete';

interface ObjectLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface ListWatchOptions<T> {
  kc: KubeConfig;
  /** the collection in every namespace, e.g. /apis/apps/v1/deployments (or in one: /api/v1/namespaces/NS/secrets) */
  path: string;
  /** only the objects it selects (metadata.name=NAME: one object, which RBAC resourceNames can allow) */
  fieldSelector?: string;
  /** what to keep of each object (core/cache-fields.ts) */
  trim: (o: T) => T;
  /** objects per page (client-go's pager default: 500) */
  pageSize?: number;
  /** how a full list is read: 'stream' (default: a watch with sendInitialEvents, falling back to pages) or 'pages' */
  initialList?: 'stream' | 'pages';
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
  /** tests: awaited after each object of a streamed list is stored, the stream paused meanwhile */
  afterInitialEvent?: (index: number) => Promise<void>;
}

/** The streamed list's end: a bookmark with this annotation (k8s.io/apimachinery metav1.InitialEventsAnnotationKey). */
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** The server does not stream lists (sendInitialEvents refused or ignored): list in pages instead. */
class StreamingListUnsupported extends Error {}

/** A streamed list in progress: the objects seen so far, and what to do at its end bookmark. */
interface InitialEvents {
  seen: Set<string>;
  count: number;
  done: (resourceVersion: string) => void;
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
  readonly stats = { lists: 0, pages: 0, streamedLists: 0, relistsOnGone: 0, watches: 0 };
  /** whether full lists are streamed (until the server shows it cannot) */
  private streaming: boolean;

  private readonly client: KubeClient;

  constructor(private readonly o: ListWatchOptions<T>) {
    this.streaming = (o.initialList ?? 'stream') === 'stream';
    this.client = new KubeClient(o.kc);
  }

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
    const synced = () => {
      delay = 1000;
      if (!this.synced) {
        this.synced = true;
        listed();
      }
    };
    let needList = true;
    while (!this.stopped) {
      if (needList && this.streaming) {
        // one request: the whole list as events, then the watch (client-go reflector.watchList)
        let complete = false;
        try {
          await this.watch({
            seen: new Set(),
            count: 0,
            done: () => {
              complete = true;
              synced();
            },
          });
          if (!complete) throw new StreamingListUnsupported(`${this.o.what}: the watch ended without the ${INITIAL_EVENTS_END} bookmark`);
          needList = false;
          delay = 1000; // ended normally (server-side timeout): resume from the last resourceVersion
        } catch (e) {
          if (this.stopped) break;
          if (complete) needList = false; // listed; the watch that followed failed: resume as after any watch
          if (e instanceof StreamingListUnsupported) {
            this.streaming = false;
            this.o.logger?.info({ watch: this.o.what, err: e.message }, 'the API server does not stream lists (WatchList); listing in pages');
            continue;
          }
          if (e instanceof ApiError && e.code === 410) {
            this.stats.relistsOnGone++;
            this.o.logger?.info({ watch: this.o.what, resourceVersion: this.resourceVersion, err: e.message }, 'watch resourceVersion gone (410); listing again');
            needList = true;
            continue;
          }
          await backoff(e);
        }
        continue;
      }
      if (needList) {
        try {
          await this.listAll();
        } catch (e) {
          if (this.stopped) break;
          await backoff(e);
          continue;
        }
        needList = false;
        synced();
      }
      try {
        await this.watch();
        delay = 1000; // ended normally (server-side timeout): resume at once
      } catch (e) {
        if (this.stopped) break;
        if (e instanceof ApiError && e.code === 410) {
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
      // where a list's time goes: waiting for the API server's pages, or parsing and trimming them here
      const t0 = performance.now();
      let waitMs = 0;
      let bytes = 0;
      try {
        do {
          const q = new URLSearchParams({ limit: String(limit) });
          if (this.o.fieldSelector) q.set('fieldSelector', this.o.fieldSelector);
          if (cont) q.set('continue', cont);
          const tw = performance.now();
          const text = await this.fetchText(`${this.o.path}?${q.toString()}`);
          waitMs += performance.now() - tw;
          bytes += text.length;
          const page = JSON.parse(text) as { metadata?: { resourceVersion?: string; continue?: string }; items?: T[] };
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
          // (counted apart: an optional call skips its arguments when there is no hook)
          const pageIndex = index++;
          await this.o.afterPage?.({ index: pageIndex, items: items.length, more: cont !== undefined });
        } while (cont !== undefined && !this.stopped);
      } catch (e) {
        if (e instanceof ApiError && e.code === 410 && cont !== undefined) {
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
      const ms = performance.now() - t0;
      this.o.logger?.info({ watch: this.o.what, objects: seen.size, pages: index, bytes, ms: Math.round(ms), waitMs: Math.round(waitMs), ownMs: Math.round(ms - waitMs) }, 'listed');
      return;
    }
  }

  /**
   * One watch request until the server ends it; throws ApiError(410) when gone. With `initial`, a
   * streamed list: every object first (sendInitialEvents), then the watch; else from this.resourceVersion.
   */
  private async watch(initial?: InitialEvents): Promise<void> {
    await this.o.beforeWatch?.(this.resourceVersion);
    if (this.stopped) return;
    const timeout = this.o.watchTimeoutSeconds?.() ?? Math.floor(300 * (1 + Math.random()));
    // a streamed list asks for the current state ("" with NotOlderThan: at least as new as a quorum read), as client-go's watchList
    const q = new URLSearchParams(
      initial
        ? { watch: 'true', sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: 'true', timeoutSeconds: String(timeout) }
        : { watch: 'true', allowWatchBookmarks: 'true', resourceVersion: this.resourceVersion, timeoutSeconds: String(timeout) },
    );
    if (this.o.fieldSelector) q.set('fieldSelector', this.o.fieldSelector);
    const t0 = performance.now();
    const res = await this.open(`${this.o.path}?${q.toString()}`);
    this.stats.watches++;
    if (res.statusCode !== 200) {
      const err = await statusError(res, this.o.what);
      // the WatchList feature gate off: "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"
      if (initial && (err.code === 400 || err.code === 422)) throw new StreamingListUnsupported(err.message);
      throw err;
    }
    let state = initial;
    // a streamed list's time: ours (parsing, trimming, storing each event) and the rest (waiting for the server)
    let ownMs = 0;
    let bytes = 0;
    if (state) {
      const { done } = state;
      state.done = (rv) => {
        this.stats.streamedLists++;
        this.stats.lists++;
        const ms = performance.now() - t0;
        this.o.logger?.info({ watch: this.o.what, objects: state?.seen.size, streamed: true, bytes, ms: Math.round(ms), waitMs: Math.round(ms - ownMs), ownMs: Math.round(ownMs) }, 'listed');
        state = undefined;
        done(rv);
      };
    }
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      let failed: Error | undefined;
      let busy = false;
      const fail = (e: unknown) => {
        failed = e as Error;
        res.destroy();
        reject(failed);
      };
      const drain = () => {
        let nl: number;
        while (!failed && !busy && (nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim() === '') continue;
          const streamed = state?.count;
          const te = state ? performance.now() : 0;
          try {
            this.event(JSON.parse(line) as { type?: string; object?: unknown }, state);
          } catch (e) {
            return fail(e);
          }
          if (state) {
            ownMs += performance.now() - te;
            bytes += line.length;
          }
          const hook = this.o.afterInitialEvent;
          if (state && hook && state.count !== streamed) {
            // tests: the stream waits while the hook changes objects (what arrives later is what it must see)
            busy = true;
            res.pause();
            hook(state.count - 1).then(
              () => {
                busy = false;
                res.resume();
                drain();
              },
              (e: unknown) => fail(e),
            );
          }
        }
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (failed) return;
        buf += chunk;
        drain();
      });
      res.on('end', () => (failed ? undefined : resolve()));
      res.on('error', (e) => reject(e));
      res.on('close', () => (failed ? undefined : res.complete ? resolve() : reject(new Error(`${this.o.what}: watch connection closed`))));
    });
  }

  private event(e: { type?: string; object?: unknown }, initial?: InitialEvents): void {
    const obj = e.object as (T & { code?: number; message?: string; reason?: string; metadata?: { annotations?: Record<string, string> } }) | undefined;
    switch (e.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const t = this.o.trim(obj as T);
        if (initial) {
          initial.seen.add(key(t.metadata?.namespace, t.metadata?.name));
          initial.count++;
        }
        this.put(t);
        this.resourceVersion = t.metadata?.resourceVersion ?? this.resourceVersion;
        return;
      }
      case 'DELETED':
        if (initial) initial.seen.delete(key(obj?.metadata?.namespace, obj?.metadata?.name));
        this.remove(obj?.metadata?.namespace, obj?.metadata?.name);
        this.resourceVersion = obj?.metadata?.resourceVersion ?? this.resourceVersion;
        return;
      case 'BOOKMARK':
        this.resourceVersion = obj?.metadata?.resourceVersion ?? this.resourceVersion;
        if (initial && obj?.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true') {
          // the list is complete at this resourceVersion: what the cache holds and the stream did not send is gone (DeltaFIFO.Replace)
          for (const [k, o] of [...this.objects]) if (!initial.seen.has(k)) this.remove(o.metadata?.namespace, o.metadata?.name);
          this.resourceVersion = obj.metadata.resourceVersion ?? this.resourceVersion;
          initial.done(this.resourceVersion);
        }
        return;
      case 'ERROR':
        // a Status: 410 Gone ("too old resource version") when the resourceVersion is no longer served
        throw new ApiError(obj?.code ?? 0, `${this.o.what}: watch error: ${obj?.message ?? JSON.stringify(obj)}`, obj?.reason);
      default:
        throw new Error(`${this.o.what}: unknown watch event type ${String(e.type)}`);
    }
  }

  private open(path: string): Promise<IncomingMessage> {
    // one kept-alive connection for every page and watch of this resource
    return this.client.open('GET', path, { agent: this.agent, onRequest: (req: ClientRequest) => (this.current = req) });
  }

  /** A whole (page) body, or ApiError for a non-200 answer. */
  private async fetchText(path: string): Promise<string> {
    const res = await this.open(path);
    if (res.statusCode !== 200) throw await statusError(res, this.o.what);
    return readBody(res);
  }
}

async function statusError(res: IncomingMessage, what: string): Promise<ApiError> {
  const body = await readBody(res).catch(() => '');
  const e = apiStatusError(res.statusCode ?? 0, body, what);
  return new ApiError(e.code, e.message.startsWith(what) ? e.message : `${what}: HTTP ${res.statusCode}: ${e.message}`, e.reason, e.details);
}
