/** Prometheus metrics (prom-client): `/metrics`. */
import client from 'prom-client';
import type { Role } from '../shared/roles.js';

/** What the sync layer reports. */
export interface SyncMetrics {
  update(outcome: 'applied' | 'no-change' | 'refused' | 'rejected', reason: string): void;
  persisted(seconds: number): void;
  /**
   * A document read rows other processes committed (`reason`: told by the fan-out, a gap in its own sequence
   * numbers, the periodic poll, the fan-out reconnecting); `lagSeconds`: from their commit until applied here.
   */
  caughtUp?(reason: CatchUpReason, rows: number, lagSeconds: number[]): void;
  /** A sync step 1 was answered: by encoding the document, or with the answer encoded for the same state vector. */
  syncAnswer?(source: 'encoded' | 'shared'): void;
}

export type CatchUpReason = 'fanout' | 'gap' | 'poll' | 'reconnect' | 'load';

export class Metrics implements SyncMetrics {
  readonly registry = new client.Registry();
  private readonly updates: client.Counter<'outcome' | 'reason'>;
  private readonly persistence: client.Histogram;
  private readonly catchUps: client.Counter<'reason'>;
  private readonly caughtUpRows: client.Counter<'reason'>;
  private readonly fanoutLag: client.Histogram;
  private readonly syncAnswers: client.Counter<'source'>;

  constructor(sources: { connectionsByRole: () => Record<Role, number>; padsLoaded: () => number }) {
    client.collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    new client.Gauge({
      name: 'cyclepad_connections',
      help: 'Open sync connections, by role',
      labelNames: ['role'],
      registers: [this.registry],
      collect() {
        for (const [role, n] of Object.entries(sources.connectionsByRole())) this.set({ role }, n);
      },
    });
    new client.Gauge({
      name: 'cyclepad_documents_loaded',
      help: 'Section documents in memory',
      registers: [this.registry],
      collect() {
        this.set(sources.padsLoaded());
      },
    });
    this.updates = new client.Counter({
      name: 'cyclepad_updates_total',
      help: 'Incoming updates by outcome (applied, no-change, refused, rejected) and reason',
      labelNames: ['outcome', 'reason'],
      registers: [this.registry],
    });
    this.persistence = new client.Histogram({
      name: 'cyclepad_persist_seconds',
      help: 'Time to commit a batch of updates to storage',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
    this.catchUps = new client.Counter({
      name: 'cyclepad_catchups_total',
      help: 'Reads of rows other processes committed, by what prompted them (fanout, gap, poll, reconnect, load)',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.caughtUpRows = new client.Counter({
      name: 'cyclepad_caught_up_rows_total',
      help: 'Rows other processes committed, applied here, by what prompted the read',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.fanoutLag = new client.Histogram({
      name: 'cyclepad_fanout_lag_seconds',
      help: 'From a commit in another process until this process applied it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.syncAnswers = new client.Counter({
      name: 'cyclepad_sync_answers_total',
      help: 'Sync step 1 requests answered, by source: encoded from the document, or shared (the same state vector asked while the document was unchanged)',
      labelNames: ['source'],
      registers: [this.registry],
    });
  }

  syncAnswer(source: 'encoded' | 'shared'): void {
    this.syncAnswers.inc({ source });
  }

  caughtUp(reason: CatchUpReason, rows: number, lagSeconds: number[]): void {
    this.catchUps.inc({ reason });
    this.caughtUpRows.inc({ reason }, rows);
    for (const lag of lagSeconds) this.fanoutLag.observe(lag);
  }

  update(outcome: 'applied' | 'no-change' | 'refused' | 'rejected', reason: string): void {
    this.updates.inc({ outcome, reason });
  }

  persisted(seconds: number): void {
    this.persistence.observe(seconds);
  }
}
