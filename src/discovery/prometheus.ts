// The one Prometheus call discovery needs: GET /api/v1/series?match[]=<seriesQuery>&start=<t>, as
// prometheus-adapter's client makes it (pkg/client/api.go queryClient.Series and httpAPIClient.Do).
export class PrometheusError extends Error {
  override name = 'PrometheusError';
  /** the reason without the selector, short enough for an AdmissionResponse warning */
  readonly reason: string;
  constructor(message: string, reason = message) {
    super(message);
    this.reason = reason;
  }
}

export interface PrometheusTarget {
  /** base URL without credentials (for requests and messages) */
  url: URL;
  /** "Basic …" when the URL carried user:password */
  authorization?: string;
  /** the URL as shown to people: no password */
  display: string;
}

/** Parse --prometheus-url. Credentials in the URL become a Basic header (fetch refuses them in the URL). */
export function parsePrometheusUrl(raw: string): PrometheusTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PrometheusError(`--prometheus-url "${raw}": not a URL (e.g. http://prometheus.monitoring.svc:9090)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PrometheusError(`--prometheus-url "${raw}": must be http:// or https://`);
  let authorization: string | undefined;
  if (url.username || url.password) {
    authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  url.search = '';
  url.hash = '';
  return { url, authorization, display: url.toString().replace(/\/$/, '') };
}

/** model.Time.String(): seconds since the epoch with millisecond precision. */
function promTime(ms: number): string {
  return (Math.floor(ms) / 1000).toFixed(3);
}

export interface SeriesRequestOptions {
  /** only series with samples since this time (ms); the adapter passes now - --metrics-max-age */
  startMs?: number;
  signal?: AbortSignal;
}

/** The label sets of every series matching `selector`. Throws PrometheusError naming the selector. */
export async function fetchSeries(target: PrometheusTarget, selector: string, opts: SeriesRequestOptions = {}): Promise<Array<Record<string, string>>> {
  const u = new URL(target.url.toString());
  // path.Join(baseURL.Path, endpoint): a base URL with a path prefix (behind a proxy) keeps it
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/api/v1/series`;
  const q = new URLSearchParams();
  if (opts.startMs !== undefined) q.set('start', promTime(opts.startMs));
  q.append('match[]', selector);
  u.search = q.toString();
  const fail = (msg: string) => new PrometheusError(`series for ${JSON.stringify(selector)}: ${msg}`, msg);
  let res: Response;
  try {
    res = await fetch(u, { headers: { accept: 'application/json', ...(target.authorization ? { authorization: target.authorization } : {}) }, signal: opts.signal });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') throw fail(`no answer from ${target.display} in time`);
    throw fail(`${target.display} unreachable (${err.cause?.code ?? err.cause?.message ?? err.message})`);
  }
  // api.go: codes other than 2xx, 400, 422 and 503 carry no JSON error body
  if (!res.ok && res.status !== 400 && res.status !== 422 && res.status !== 503) {
    await res.body?.cancel();
    throw fail(`${target.display} answered HTTP ${res.status}`);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (e) {
    if ((e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError') throw fail(`no answer from ${target.display} in time`);
    throw fail(`${target.display} answered HTTP ${res.status} with a body that is not JSON (is this Prometheus?)`);
  }
  const b = body as { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
  if (b.status !== 'success') {
    throw fail(`Prometheus refused it (HTTP ${res.status}${typeof b.errorType === 'string' ? `, ${b.errorType}` : ''}: ${typeof b.error === 'string' ? b.error : 'no error message'})`);
  }
  if (!Array.isArray(b.data) || !b.data.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s))) throw fail('the answer has no list of series in "data"');
  return b.data as Array<Record<string, string>>;
}
