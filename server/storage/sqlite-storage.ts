/**
 * The embedded default behind the asynchronous {@link Storage} seam: the synchronous better-sqlite3 store, each call
 * answered at once (a resolved promise, no thread hop). One process; the server secret in a file beside the database.
 */
import path from 'node:path';
import { SqliteStore } from './sqlite-store.js';
import { loadServerSecret } from '../auth/secrets.js';
import type { AppendBatch, AppendResult, PadExport, SessionName, StatusRow, Storage } from './storage.js';
import type { CuratorKeyRecord, CuratorSessionRecord, DocumentRef, PadRecord, StoredRevision, StoredUpdate } from './store.js';
import type { GuardNoticeData } from '../../shared/presence.js';

export class SqliteStorage implements Storage {
  readonly description: string;

  constructor(
    /** The synchronous store (tests and the admin command line read it directly). */
    readonly sync: SqliteStore,
    private readonly dataDir: string,
  ) {
    this.description = `sqlite ${path.join(dataDir, 'cyclepad.sqlite')}`;
  }

  static open(dataDir: string): SqliteStorage {
    return new SqliteStorage(new SqliteStore(dataDir), dataDir);
  }

  async serverSecret(): Promise<Buffer> {
    return loadServerSecret(this.dataDir);
  }

  async loadDocument(ref: DocumentRef) {
    return this.sync.loadDocument(ref);
  }
  async append(batches: AppendBatch[]): Promise<AppendResult[]> {
    return this.sync.appendBatches(batches);
  }
  async readLog(ref: DocumentRef, afterSeq?: number, limit?: number) {
    return this.sync.readLog(ref, afterSeq, limit);
  }
  async headSeq(ref: DocumentRef) {
    return this.sync.headSeq(ref);
  }
  async writeSnapshot(ref: DocumentRef, incarnation: string, seq: number, state: Uint8Array) {
    return this.sync.writeSnapshotOf(ref, incarnation, seq, state);
  }
  async listRevisionSummaries(ref: DocumentRef, limit: number, beforeSeq?: number) {
    return this.sync.listRevisionSummaries(ref, limit, beforeSeq);
  }
  async historyCheckpoint(ref: DocumentRef) {
    return this.sync.historyCheckpoint(ref);
  }
  async indexRevisions(ref: DocumentRef, rows: StoredRevision[], checkpoint: { seq: number; state: Uint8Array }) {
    this.sync.indexRevisions(ref, rows, checkpoint);
  }

  async createPad(pad: PadRecord, firstCurator: CuratorKeyRecord) {
    return this.sync.createPad(pad, firstCurator);
  }
  async getPad(id: string) {
    return this.sync.getPad(id);
  }
  async findPadByReadOnlyHash(hash: string) {
    return this.sync.findPadByReadOnlyHash(hash);
  }
  async listPads() {
    return this.sync.listPads();
  }
  async deletePad(id: string) {
    return this.sync.deletePad(id);
  }
  async addCuratorKey(key: CuratorKeyRecord) {
    this.sync.addCuratorKey(key);
  }
  async listCuratorKeys(padId: string) {
    return this.sync.listCuratorKeys(padId);
  }
  async listCuratorKeyLabels(padId: string) {
    return this.sync.listCuratorKeyLabels(padId);
  }
  async revokeCuratorKeys(padId: string, id: string) {
    return this.sync.revokeCuratorKeys(padId, id);
  }
  async replacePtlKey(padId: string, key: CuratorKeyRecord) {
    return this.sync.replacePtlKey(padId, key);
  }
  async isCuratorKeyLive(id: string) {
    return this.sync.isCuratorKeyLive(id);
  }
  async createSession(session: CuratorSessionRecord) {
    this.sync.createSession(session);
  }
  async findSession(tokenHash: string, now: number) {
    return this.sync.findSession(tokenHash, now);
  }
  async isSessionLive(tokenHash: string, now: number) {
    return this.sync.isSessionLive(tokenHash, now);
  }
  async deleteSession(tokenHash: string) {
    this.sync.deleteSession(tokenHash);
  }
  async listGuardNotices(padId: string): Promise<GuardNoticeData[]> {
    return this.sync.listGuardNotices(padId);
  }
  async saveSessionNames(padId: string, incarnation: string, names: SessionName[]) {
    this.sync.saveSessionNames(padId, incarnation, names);
  }

  async listSessionNames(padId: string, sessions?: readonly string[]): Promise<SessionName[]> {
    return this.sync.listSessionNames(padId, sessions);
  }

  async saveGuardNotices(padId: string, notices: GuardNoticeData[]) {
    this.sync.saveGuardNotices(padId, notices);
  }
  async updateGuardNotices(padId: string, change: (notices: GuardNoticeData[]) => GuardNoticeData[] | null) {
    return this.sync.updateGuardNotices(padId, change);
  }
  async tryLease(name: string, holder: string, ttlMs: number) {
    return this.sync.tryLease(name, holder, ttlMs);
  }
  async readStatus(keys: string[]) {
    return this.sync.readStatus(keys);
  }
  async wantStatus(keys: string[], now: number) {
    this.sync.wantStatus(keys, now);
  }
  async dueStatus(now: number, wantedSince: number, limit: number) {
    return this.sync.dueStatus(now, wantedSince, limit);
  }
  async writeStatus(rows: StatusRow[]) {
    this.sync.writeStatus(rows);
  }
  async forgetStatus(before: number) {
    return this.sync.forgetStatus(before);
  }
  async ping() {
    this.sync.ping();
  }
  async probeWrite() {
    this.sync.probeWrite();
  }
  async close() {
    this.sync.close();
  }
  async exportPad(id: string) {
    return this.sync.exportPad(id);
  }
  async importPad(data: PadExport) {
    return this.sync.importPad(data);
  }
  async importLog(ref: DocumentRef, incarnation: string, rows: StoredUpdate[]) {
    return this.sync.importLog(ref, incarnation, rows);
  }
}
