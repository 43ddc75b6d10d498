/**
 * GETs to ONE configured host (GERRIT_URL or LAUNCHPAD_API_URL), with Node's fetch (undici):
 * - only paths under the configured base are requested: a path is appended to the base, the result must stay on
 *   the base's origin and under its path; redirects are not followed off it (`redirect: 'manual'`);
 * - at most `concurrency` requests in flight to the host;
 * - every request bounded by `timeoutMs` (AbortSignal.timeout);
 * - 429 and 5xx and timeouts and network errors are retried with exponential backoff (with jitter), a 429's
 *   `Retry-After` honoured (seconds or an HTTP date, capped): the whole host pauses until then, not only the request;
 * - a User-Agent naming cyclepad; `If-None-Match` with a known ETag (304 → not modified);
 * - 401, 403 and 404 → not visible (private or missing), never retried.
 */
export interface HostClientOptions {
  /** The configured base URL, e.g. https://review.opendev.org or https://api.launchpad.net/devel. */
  base: string;
  userAgent: string;
  concurrency: number;
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff (doubled each retry). */
  backoffMs: number;
  /** Longest wait for a Retry-After or a backoff. */
  maxWaitMs: number;
  /** Told of every request made (metrics, benchmarks): its status and the bytes of the body. */
  onRequest?: (info: { status: number; bytes: number }) => void;
}

export type GetResult =
  | { kind: 'ok'; text: string; etag: string | null }
  | { kind: 'not-modified' }
  | { kind: 'not-visible'; status: number };

/** The host could not answer (after retries): try the item again later. */
export class FetchFailed extends Error {
  constructor(
    message: string,
    /** How long the host asked us to wait (a 429's Retry-After), if it did. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'FetchFailed';
  }
}

/** A path that would leave the configured base. */
export class ForeignUrl extends Error {
  constructor(url: string) {
    super(`refusing to fetch ${url}: not under the configured base`);
    this.name = 'ForeignUrl';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Retry-After: delta-seconds or an HTTP date; null if absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export class HostClient {
  readonly base: URL;
  private readonly basePath: string;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** The host asked us to wait until then (429 Retry-After). */
  private pausedUntil = 0;
  /** Requests made (every attempt), bytes received. */
  requests = 0;
  bytes = 0;

  constructor(private readonly options: HostClientOptions) {
    this.base = new URL(options.base);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') throw new Error(`not an http(s) URL: ${options.base}`);
    let basePath = this.base.pathname;
    while (basePath.endsWith('/')) basePath = basePath.slice(0, -1);
    this.basePath = basePath;
  }

  /** The absolute URL of `path` (which starts with `/`) under the base; throws {@link ForeignUrl}. */
  urlOf(path: string): URL {
    if (!path.startsWith('/') || path.startsWith('//')) throw new ForeignUrl(path);
    const url = new URL(this.basePath + path, this.base.origin);
    if (url.origin !== this.base.origin || !(url.pathname === this.basePath || url.pathname.startsWith(`${this.basePath}/`))) {
      throw new ForeignUrl(url.href);
    }
    return url;
  }

  /**
   * A link the host itself gave (Launchpad's `next_collection_link`, `*_link`) as a path under the base, or null if
   * it points anywhere else (then it is not followed).
   */
  pathOfLink(link: string): string | null {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      return null;
    }
    if (url.origin !== this.base.origin || !url.pathname.startsWith(`${this.basePath}/`)) return null;
    return url.pathname.slice(this.basePath.length) + url.search;
  }

  private async slot(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** GET `path` (under the base); `etag` makes it conditional. Throws {@link FetchFailed} after the retries. */
  async get(path: string, etag?: string | null): Promise<GetResult> {
    const url = this.urlOf(path);
    let lastError = 'no attempt';
    let hostWait: number | null = null;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) {
        const backoff = Math.min(this.options.maxWaitMs, this.options.backoffMs * 2 ** (attempt - 1));
        await sleep(backoff / 2 + Math.random() * (backoff / 2));
      }
      await this.slot();
      try {
        const pause = this.pausedUntil - Date.now();
        if (pause > 0) await sleep(pause);
        this.requests++;
        const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, Accept: 'application/json' };
        if (etag) headers['If-None-Match'] = etag;
        let response: Response;
        try {
          response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs) });
        } catch (err) {
          lastError = err instanceof Error && err.name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs} ms` : `network error: ${String((err as Error)?.message ?? err)}`;
          this.options.onRequest?.({ status: 0, bytes: 0 });
          continue;
        }
        const status = response.status;
        if (status === 304) {
          await response.body?.cancel();
          this.options.onRequest?.({ status, bytes: 0 });
          return { kind: 'not-modified' };
        }
        if (status === 401 || status === 403 || status === 404 || status === 410) {
          await response.body?.cancel();
          this.options.onRequest?.({ status, bytes: 0 });
          return { kind: 'not-visible', status };
        }
        if (status === 429 || status >= 500) {
          await response.body?.cancel();
          this.options.onRequest?.({ status, bytes: 0 });
          const wait = retryAfterMs(response.headers.get('retry-after'));
          if (wait !== null) {
            hostWait = wait;
            this.pausedUntil = Math.max(this.pausedUntil, Date.now() + Math.min(wait, this.options.maxWaitMs));
          }
          lastError = `HTTP ${status}`;
          continue;
        }
        if (status !== 200) {
          // a redirect (not followed off the configured base) or anything else undocumented
          await response.body?.cancel();
          this.options.onRequest?.({ status, bytes: 0 });
          throw new FetchFailed(`HTTP ${status} from ${url.origin}`);
        }
        let text: string;
        try {
          text = await response.text();
        } catch (err) {
          lastError = `reading the body failed: ${String((err as Error)?.message ?? err)}`;
          this.options.onRequest?.({ status: 0, bytes: 0 });
          continue;
        }
        const bytes = Buffer.byteLength(text);
        this.bytes += bytes;
        this.options.onRequest?.({ status, bytes });
        return { kind: 'ok', text, etag: response.headers.get('etag') };
      } finally {
        this.release();
      }
    }
    throw new FetchFailed(`${url.origin}: ${lastError}`, hostWait);
  }
}
