/**
 * Live review status for the whole server (and, with PostgreSQL, for every process):
 *
 * - **What is polled**: the items (shared/links.ts parses them) of every pad that is loaded in some process — a
 *   section document is loaded while someone is connected to it and for UNLOAD_DELAY_MS after, and while an export,
 *   import or status.json request reads it. Each process marks the items of its loaded documents as wanted in the
 *   cache (`wantStatus`, at most once a minute per item); an item nobody wanted for three intervals (at least
 *   15 minutes) is no longer polled, and rows neither wanted nor fetched for a week are deleted.
 * - **Who polls**: one process at a time, the holder of the lease `status-poll` (`tryLease`, renewed while it
 *   polls). Every tick (2 s) it fetches the items that are due: never fetched, or their next check has come
 *   (STATUS_POLL_SECONDS; four times that for items that are not visible; exponential backoff after failures). An
 *   item referenced by ten pads is one row, fetched once per interval. STATUS_POLL_SECONDS=0: nothing is fetched.
 * - **Delivery**: the poller publishes the keys that changed on the fan-out (`cyclepad:status`); every process reads
 *   those rows and sends a `status` server notice with the changed items to every peer (viewers too) of its loaded
 *   documents that link to them. A socket gets the full status of its section when it opens; a document whose links
 *   changed sends the new items at the next tick; and every 30 s each document compares what it sent with the cache
 *   (in case a fan-out message was lost).
 */
import type { Logger } from 'pino';
import type * as Y from 'yjs';
import type { Storage, StatusRow } from '../storage/storage.js';
import type { FanOut } from '../fanout/fanout.js';
import type { DocumentRegistry } from '../sync/document-registry.js';
import type { Peer, SectionDocument } from '../sync/section-document.js';
import type { DocumentRef } from '../storage/store.js';
import type { PadStatus, StatusNotice } from '../../shared/status.js';
import { HostClient } from './host-client.js';
import { StatusFetcher } from './fetcher.js';
import { emptyItems, itemsOfDoc, mergeItems, type PadItems } from './items.js';
import { buildStatus, isEmptyStatus, readPadRows } from './cache-values.js';

export interface StatusConfig {
  /** STATUS_POLL_SECONDS: the interval; 0 never fetches. */
  pollSeconds: number;
  gerritUrl: string;
  launchpadUrl: string;
  /** Requests in flight per host. */
  concurrency?: number;
  /** Bound on one request. */
  timeoutMs?: number;
  /** How often the service looks for due items and changed links (default 2000 ms). */
  tickMs?: number;
  /** Retries of one request after 429/5xx/timeouts (default 3), and the first backoff (default 1000 ms). */
  retries?: number;
  backoffMs?: number;
}

export const STATUS_CHANNEL = 'cyclepad:status';
export const STATUS_LEASE = 'status-poll';
export const USER_AGENT = 'cyclepad/0.1 (release-cycle tracking pad; live review status; +https://opendev.org)';

/** Per loaded document: its items (recomputed when it changed), what its peers were sent, what it depends on. */
interface DocState {
  items: PadItems;
  dirty: boolean;
  /** Item JSON per contract key (`changes/123`), as last sent to the document's peers. */
  sent: Map<string, string>;
  /** Cache keys its status depends on (its items, its topics' changes, its people). */
  depends: Set<string>;
  /** Its items changed since they were last refreshed. */
  linksChanged: boolean;
  lastRefresh: number;
}

const RECONCILE_MS = 30_000;
const WANT_EVERY_MS = 60_000;
const DUE_LIMIT = 5000;

/** Flattens a status into `section/id → JSON` for comparing what was sent. */
function flatten(status: PadStatus): Map<string, string> {
  const out = new Map<string, string>();
  for (const section of ['changes', 'bugs', 'blueprints', 'topics'] as const) {
    for (const [id, value] of Object.entries(status[section])) out.set(`${section}/${id}`, JSON.stringify(value));
  }
  return out;
}

/** Only the entries of `status` whose flattened key is in `keep`. */
function subset(status: PadStatus, keep: Set<string>): PadStatus {
  const pick = <T>(section: 'changes' | 'bugs' | 'blueprints' | 'topics', map: Record<string, T>) =>
    Object.fromEntries(Object.entries(map).filter(([id]) => keep.has(`${section}/${id}`)));
  return {
    changes: pick('changes', status.changes),
    bugs: pick('bugs', status.bugs),
    blueprints: pick('blueprints', status.blueprints),
    topics: pick('topics', status.topics),
    fetchedAt: status.fetchedAt,
    enabled: status.enabled,
  };
}

export class StatusService {
  readonly enabled: boolean;
  readonly gerrit: HostClient;
  readonly launchpad: HostClient;
  private readonly fetcher: StatusFetcher;
  private readonly intervalMs: number;
  private readonly tickMs: number;
  private readonly docs = new WeakMap<SectionDocument, DocState>();
  private readonly wantedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private closed = false;
  private lastForget = 0;
  /** Poll cycles run by this process (tests, metrics). */
  cycles = 0;

  constructor(
    private readonly storage: Storage,
    private readonly fanout: FanOut,
    private readonly registry: DocumentRegistry,
    private readonly log: Logger,
    config: StatusConfig,
  ) {
    this.enabled = config.pollSeconds > 0;
    this.intervalMs = config.pollSeconds * 1000;
    this.tickMs = config.tickMs ?? 2000;
    const client = (base: string) =>
      new HostClient({
        base,
        userAgent: USER_AGENT,
        concurrency: config.concurrency ?? 4,
        timeoutMs: config.timeoutMs ?? 10_000,
        retries: config.retries ?? 3,
        backoffMs: config.backoffMs ?? 1000,
        maxWaitMs: 60_000,
      });
    this.gerrit = client(config.gerritUrl);
    this.launchpad = client(config.launchpadUrl);
    this.fetcher = new StatusFetcher(
      this.gerrit,
      this.launchpad,
      { intervalMs: Math.max(this.intervalMs, 1000), maxBackoffMs: 6 * 3600_000, personTtlMs: 24 * 3600_000 },
      log,
    );
    this.fetcher.readPeopleWith((keys) => this.storage.readStatus(keys));
  }

  /** Subscribes to the poller's change messages and starts ticking. */
  async start(): Promise<void> {
    await this.fanout.subscribe(STATUS_CHANNEL, (raw) => {
      let message: { keys?: unknown };
      try {
        message = JSON.parse(raw) as typeof message;
      } catch {
        return;
      }
      if (!Array.isArray(message.keys)) return;
      const changed = new Set(message.keys.filter((k): k is string => typeof k === 'string'));
      void this.onChanged(changed);
    });
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    setImmediate(() => void this.tick());
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  private state(document: SectionDocument): DocState {
    let state = this.docs.get(document);
    if (!state) {
      const created: DocState = { items: emptyItems(), dirty: true, sent: new Map(), depends: new Set(), linksChanged: true, lastRefresh: 0 };
      // (not 'update': a listener on it makes Yjs encode every transaction's update, only to set this flag)
      document.doc.on('afterTransaction', (transaction: Y.Transaction) => {
        if (transaction.changed.size > 0 || transaction.deleteSet.clients.size > 0) created.dirty = true;
      });
      this.docs.set(document, created);
      state = created;
    }
    if (state.dirty) {
      state.dirty = false;
      const items = itemsOfDoc(document.doc);
      const before = state.items;
      if (items.keys.size !== before.keys.size || [...items.keys].some((k) => !before.keys.has(k)) || [...items.bugProjects].some(([b, p]) => before.bugProjects.get(b) !== p)) {
        state.items = items;
        state.linksChanged = true;
      }
    }
    return state;
  }

  /** Marks items wanted (at most once a minute each, per process). */
  private async want(keys: Iterable<string>, now: number): Promise<void> {
    if (!this.enabled) return;
    const fresh: string[] = [];
    for (const key of keys) {
      if ((this.wantedAt.get(key) ?? 0) > now - WANT_EVERY_MS) continue;
      this.wantedAt.set(key, now);
      fresh.push(key);
    }
    if (fresh.length > 0) await this.storage.wantStatus(fresh, now);
    if (this.wantedAt.size > 100_000) this.wantedAt.clear();
  }

  /** One tick: want what loaded documents link to, send new items, poll if this process holds the lease. */
  tick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.ticking) return this.ticking;
    this.ticking = this.runTick()
      .catch((err: unknown) => this.log.warn({ err }, 'status: tick failed; retrying at the next'))
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }

  private async runTick(): Promise<void> {
    const now = Date.now();
    const documents = this.registry.loaded().filter((d) => !d.isDestroyed);
    const wanted = new Set<string>();
    for (const document of documents) for (const key of this.state(document).items.keys) wanted.add(key);
    await this.want(wanted, now);
    for (const document of documents) {
      const state = this.state(document);
      if (document.peers.size > 0 && (state.linksChanged || now - state.lastRefresh > RECONCILE_MS)) await this.refresh(document, state);
    }
    if (this.enabled && !this.closed) await this.pollIfLeader(now);
  }

  /** Polls due items if this process holds (or takes) the lease. */
  private async pollIfLeader(now: number): Promise<void> {
    const leaseMs = Math.max(30_000, this.tickMs * 5);
    if (!(await this.storage.tryLease(STATUS_LEASE, this.fanout.processId, leaseMs))) return;
    const wantedSince = now - Math.max(3 * this.intervalMs, 15 * 60_000);
    const due = await this.storage.dueStatus(now, wantedSince, DUE_LIMIT);
    if (now - this.lastForget > 3600_000) {
      this.lastForget = now;
      await this.storage.forgetStatus(now - 7 * 24 * 3600_000);
    }
    if (due.length === 0) return;
    const renew = setInterval(() => void this.storage.tryLease(STATUS_LEASE, this.fanout.processId, leaseMs).catch(() => false), leaseMs / 3);
    renew.unref();
    try {
      await this.pollKeys(due, now);
    } finally {
      clearInterval(renew);
    }
  }

  /** Fetches `due`, stores the new rows, tells every process which items changed. */
  async pollKeys(due: string[], now = Date.now()): Promise<string[]> {
    this.cycles++;
    const previous = new Map<string, StatusRow>();
    for (const row of await this.storage.readStatus(due)) previous.set(row.key, row);
    const rows = await this.fetcher.poll(due, previous, now);
    return this.store(rows, previous);
  }

  /** Writes rows (a poll's, an import's) and publishes the keys whose value changed. */
  async store(rows: StatusRow[], previous?: Map<string, StatusRow>): Promise<string[]> {
    if (rows.length === 0) return [];
    let before = previous ?? new Map<string, StatusRow>();
    const unknown = rows.filter((r) => !before.has(r.key)).map((r) => r.key);
    if (unknown.length > 0) {
      before = new Map(before);
      for (const row of await this.storage.readStatus(unknown)) before.set(row.key, row);
    }
    await this.storage.writeStatus(rows);
    const changed = rows.filter((r) => r.value !== null && r.value !== (before.get(r.key)?.value ?? null)).map((r) => r.key);
    if (changed.length > 0) {
      const message = JSON.stringify({ keys: changed });
      // every process (this one too) hears it; if the fan-out cannot take it, this process at least
      this.fanout.publish(STATUS_CHANNEL, message).catch(() => void this.onChanged(new Set(changed)));
    }
    return changed;
  }

  /** Items changed (here or in another process): documents depending on them send the new values. */
  private async onChanged(changed: Set<string>): Promise<void> {
    for (const document of this.registry.loaded()) {
      if (document.isDestroyed || document.peers.size === 0) continue;
      const state = this.state(document);
      if (state.linksChanged || [...changed].some((k) => state.depends.has(k))) await this.refresh(document, state);
    }
  }

  /** Reads the document's status from the cache and sends its peers what differs from what they were sent. */
  private async refresh(document: SectionDocument, state: DocState): Promise<void> {
    try {
      const items = state.items;
      state.linksChanged = false;
      state.lastRefresh = Date.now();
      const { rows, depends } = await readPadRows(items, (keys) => this.storage.readStatus(keys));
      state.depends = depends;
      const status = buildStatus(items, rows, this.enabled);
      const current = flatten(status);
      const differing = new Set<string>();
      for (const [key, json] of current) if (state.sent.get(key) !== json) differing.add(key);
      state.sent = current;
      if (differing.size === 0 || document.isDestroyed) return;
      const notice: StatusNotice = { type: 'status', status: subset(status, differing) };
      document.notify(notice, () => true);
    } catch (err) {
      this.log.warn({ err, doc: document.ref }, 'status: could not read the cache');
    }
  }

  /** A socket just opened on `ref`: it gets the full status of the section (viewers too). */
  async sendTo(ref: DocumentRef, peer: Pick<Peer, 'send'> & { notify(notice: StatusNotice): void }): Promise<void> {
    const document = this.registry.peek(ref);
    if (!document || document.isDestroyed) return;
    try {
      const state = this.state(document);
      const { rows } = await readPadRows(state.items, (keys) => this.storage.readStatus(keys));
      const status = buildStatus(state.items, rows, this.enabled);
      // (with fetching off, the page is told so once, rather than left waiting for status that never comes)
      if (!isEmptyStatus(status) || !this.enabled) peer.notify({ type: 'status', status });
    } catch (err) {
      this.log.warn({ err }, 'status: could not read the cache for a new socket');
    }
  }

  /** The status of everything a pad links to (both sections), for status.json; marks its items wanted. */
  async padStatus(padId: string): Promise<PadStatus> {
    let items = emptyItems();
    for (const section of ['proposed', 'ready'] as const) {
      const sectionItems = await this.registry.use({ padId, section }, (d) => itemsOfDoc(d.doc));
      items = mergeItems(items, sectionItems);
    }
    await this.want(items.keys, Date.now());
    const { rows } = await readPadRows(items, (keys) => this.storage.readStatus(keys));
    return buildStatus(items, rows, this.enabled);
  }
}
