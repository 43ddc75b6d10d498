/**
 * The page's one way to call the HTTP API: same-origin credentials, JSON in and out, and every failure (no answer,
 * a 4xx/5xx with the server's `{"error"}`) thrown as an Error saying what went wrong, never taken for a result.
 */
import type { ApiError, ApiErrorCode } from '../../shared/api.js';

export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The kind of refusal, where the server says (the page offers a way on from it). */
    readonly code?: ApiErrorCode,
  ) {
    super(message);
  }
}

/** `path` is under `/api/pads` (e.g. `/<pad>/history?section=ready`); `body` is sent as JSON. */
export async function api<T>(path: string, options: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/pads${path}`, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: options.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new ApiFailure('the server could not be reached', 0);
  }
  const body = (await res.json().catch(() => null)) as (T & Partial<ApiError>) | null;
  if (!res.ok || body === null) throw new ApiFailure(body?.error ?? `request failed (${res.status})`, res.status, body?.code);
  return body;
}

/** `/<pad>` with the pad's name encoded, for {@link api} paths. */
export const padPath = (pad: string) => `/${encodeURIComponent(pad)}`;

/** What went wrong, as a sentence to show (the server's messages start in lower case, as JSON errors do). */
export const messageOf = (err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  return message.charAt(0).toUpperCase() + message.slice(1);
};
