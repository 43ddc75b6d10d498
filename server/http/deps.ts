import type { WriteBudgets } from '../sync/write-budget.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PadDirectory } from '../pads.js';
import type { CuratorKeys } from '../auth/curator-keys.js';
import type { CuratorSessions } from '../auth/sessions.js';
import type { Identifier } from '../auth/identify.js';
import type { DocumentRegistry } from '../sync/document-registry.js';
import type { Storage } from '../storage/storage.js';
import type { FanOut } from '../fanout/fanout.js';
import type { GuardNotices } from '../guard-notices.js';
import type { SessionNames } from '../session-names.js';
import type { Metrics } from '../metrics.js';
import type { StorageHealth } from '../storage/health.js';
import type { PadEvents } from '../events.js';
import type { StatusService } from '../status/service.js';
import type { LimitStore } from './rate-limit.js';

/** What the HTTP routes work with. */
export interface AppDeps {
  config: Config;
  log: Logger;
  storage: Storage;
  fanout: FanOut;
  /** Where the rate limits count (shared by every process when they share Redis). */
  limits: LimitStore;
  pads: PadDirectory;
  curatorKeys: CuratorKeys;
  sessions: CuratorSessions;
  identifier: Identifier;
  registry: DocumentRegistry;
  notices: GuardNotices;
  /** The names sessions went by (history shows them). */
  names: SessionNames;
  metrics: Metrics;
  health: StorageHealth;
  /** Key revocations and sign-outs are emitted here; the sync server demotes the sockets concerned. */
  events: PadEvents;
  /** Live review status (status.json, import-gerrit). */
  status?: StatusService;
  /** What each client address may still write to the logs (its sockets, imports and restores alike). */
  budgets?: WriteBudgets;
}
