/**
 * The plumbing of the fake Gerrit and Launchpad servers: an HTTP server on loopback that counts requests and bytes,
 * remembers what it was asked (path, User-Agent, If-None-Match), and can be told to misbehave for the next requests:
 * 429 with Retry-After, 5xx, never answering (a timeout), a malformed body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'hang' }
  | { kind: 'malformed' };

export interface SeenRequest {
  path: string;
  userAgent: string | undefined;
  ifNoneMatch: string | undefined;
  status: number;
  at: number;
}

export interface FakeReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export class FakeHttp {
  private server: http.Server | null = null;
  url = '';
  readonly seen: SeenRequest[] = [];
  bytes = 0;
  private readonly faults: Fault[] = [];
  private readonly hanging = new Set<http.ServerResponse>();
  /** Only requests whose path matches this are subject to the queued faults (default: all). */
  faultFilter: (path: string) => boolean = () => true;

  constructor(private readonly handle: (url: URL, req: http.IncomingMessage) => FakeReply) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** The next `times` requests (matching {@link faultFilter}) misbehave this way. */
  fail(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  get requests(): number {
    return this.seen.length;
  }

  reset(): void {
    this.seen.length = 0;
    this.bytes = 0;
    this.faults.length = 0;
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record = (status: number) =>
      this.seen.push({
        path: url.pathname + url.search,
        userAgent: req.headers['user-agent'],
        ifNoneMatch: req.headers['if-none-match'] as string | undefined,
        status,
        at: Date.now(),
      });
    const fault = this.faultFilter(url.pathname + url.search) ? this.faults.shift() : undefined;
    if (fault?.kind === 'hang') {
      record(0);
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault?.kind === 'status') {
      record(fault.status);
      res.writeHead(fault.status, { 'Content-Type': 'text/plain', ...(fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}) });
      res.end('try later');
      return;
    }
    let reply: FakeReply;
    try {
      reply = this.handle(url, req);
    } catch (err) {
      reply = { status: 400, body: String((err as Error).message), headers: { 'Content-Type': 'text/plain' } };
    }
    if (fault?.kind === 'malformed' && reply.status === 200) reply = { ...reply, body: (reply.body ?? '').slice(0, Math.max(1, Math.floor((reply.body ?? '').length / 2))) + '{{' };
    record(reply.status);
    const body = reply.body ?? '';
    this.bytes += Buffer.byteLength(body);
    res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=UTF-8', ...reply.headers });
    res.end(body);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
