#!/usr/bin/env node
/**
 * The operators' command line: `npm run admin -- <command>` or `npx cyclepad <command>`, on the data directory
 * of `DATA_DIR` (default ./data). It works on storage directly, so it can run beside a live server: a key revoked
 * here stops working on the server's open sockets at their next write.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { configFromEnv } from './config.js';
import path from 'node:path';
import { SqliteStorage } from './storage/sqlite-storage.js';
import { openFanOut, openStorage } from './storage/open.js';
import { PadEvents } from './events.js';
import { CuratorKeys } from './auth/curator-keys.js';
import { PadDirectory } from './pads.js';
import { DocumentRegistry } from './sync/document-registry.js';
import { exportPad } from './pad-export.js';
import { SECTIONS } from '../shared/schema.js';
import { toEtherpadText, toMarkdown } from '../shared/etherpad-format.js';

const USAGE = `usage: cyclepad <command>   (storage: DATA_DIR, default ./data)
  pads                         list pads
  curators <pad>               a pad's live curator keys (ids, labels, who made them; never keys)
  reset-ptl <pad>              revoke the PTL key and print a new PTL key (shown once); delegates stay
  delete <pad> --yes           delete a pad, its keys, sessions and history
  compact                      snapshot every document, fold the WAL and vacuum the database
  export <pad> [--format json|txt|md]   print a pad
  migrate --from <sqlite data dir> --to <postgres url>   copy every pad (keys, logs, snapshots) into PostgreSQL`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'json' },
      yes: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const [command, padArg] = positionals;
  if (values.help || !command) throw new UsageError('');
  const config = configFromEnv();
  if (command === 'migrate') return migrateCommand(values.from, values.to, config.databaseSchema);
  const store = await openStorage(config);
  // Other processes hear of deletions and revocations through the fan-out (when REDIS_URL is set; without it a
  // running server notices within seconds by itself).
  const fanout = await openFanOut(config);
  const events = new PadEvents();
  await events.connect(fanout);
  const log = pino({ level: 'warn' }, pino.destination(2));
  const registry = new DocumentRegistry(store, fanout, log, { unloadDelayMs: 0, snapshotEvery: config.snapshotEvery, padCheckMs: 0, catchUpEveryMs: 0 });
  const pads = new PadDirectory(store, await store.serverSecret());
  const keys = new CuratorKeys(store);
  const pad = async () => {
    if (!padArg) throw new UsageError(`${command} needs a pad name`);
    const resolved = await pads.resolve(padArg);
    if (!resolved) throw new Error(`no such pad: ${padArg}`);
    return resolved;
  };
  try {
    switch (command) {
      case 'pads':
        for (const p of await store.listPads()) {
          const counts = await Promise.all(SECTIONS.map(async (s) => `${s} ${await store.headSeq({ padId: p.id, section: s })}`));
          console.log(`${p.id}\tcreated ${new Date(p.createdAt).toISOString()}\tupdates: ${counts.join(', ')}`);
        }
        return;
      case 'curators':
        for (const k of await keys.list((await pad()).pad.id)) {
          const by = k.ptl ? 'PTL key' : k.createdBy ? `made by ${k.createdBy}` : 'maker not recorded (made before this was kept)';
          console.log(`${k.id}\t${k.label}\tcreated ${new Date(k.createdAt).toISOString()}\t${by}`);
        }
        return;
      case 'reset-ptl': {
        const { id } = (await pad()).pad;
        // One transaction: the old PTL key is revoked and the new one made together (the delegates stay).
        const { issued, revoked } = await keys.resetPtl(id);
        if (revoked.length > 0) events.publish('keysRevoked', { padId: id, keyIds: revoked });
        console.log(`new PTL key for ${id} (shown once): ${issued.key}`);
        return;
      }
      case 'delete': {
        const { id } = (await pad()).pad;
        if (!values.yes) throw new UsageError(`delete removes ${id} and all its history: add --yes`);
        // One transaction: the pad row, and with it (ON DELETE CASCADE) its keys, sessions, log, snapshots and
        // history index. A running server's stray write for it fails afterwards instead of resurrecting it.
        await store.deletePad(id);
        events.publish('padDeleted', { padId: id });
        console.log(`deleted ${id}`);
        return;
      }
      case 'compact': {
        let documents = 0;
        for (const p of await store.listPads()) {
          for (const section of SECTIONS) {
            await registry.use({ padId: p.id, section }, (d) => d.snapshot());
            documents++;
          }
        }
        await registry.closeAll();
        if (store instanceof SqliteStorage) store.sync.vacuum();
        console.log(`compacted: ${documents} documents snapshotted${store instanceof SqliteStorage ? ', database vacuumed' : ''}`);
        return;
      }
      case 'export': {
        const { pad: p, readOnly } = await pad();
        const data = await exportPad(registry, p.id, readOnly ? padArg! : p.id);
        if (values.format === 'json') console.log(JSON.stringify(data, null, 2));
        else if (values.format === 'txt') process.stdout.write(toEtherpadText(data));
        else if (values.format === 'md') process.stdout.write(toMarkdown(data));
        else throw new UsageError(`unknown format ${values.format} (json, txt or md)`);
        return;
      }
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } finally {
    await registry.closeAll();
    // let the fan-out deliver what was published before closing it
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fanout.close();
    await store.close();
  }
}

/** `migrate --from <sqlite data dir> --to <postgres url>`: copies pads, keys, logs and snapshots. */
async function migrateCommand(from: string | undefined, to: string | undefined, schema: string | undefined): Promise<void> {
  if (!from || !to) throw new UsageError('migrate needs --from <sqlite data dir> and --to <postgres url>');
  const { copyStorage } = await import('./storage/copy.js');
  const { PostgresStorage } = await import('./storage/postgres-storage.js');
  const source = SqliteStorage.open(path.resolve(from));
  const target = await PostgresStorage.open(to, schema ? { schema } : {});
  try {
    const copied = await copyStorage(source, target, (message) => console.error(message));
    console.log(`migrated ${copied.pads} pads and ${copied.updates} updates to ${target.description}`);
  } finally {
    await source.close();
    await target.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    if (err.message) console.error(err.message);
    console.error(USAGE);
    process.exit(2);
  }
  console.error(`cyclepad: ${(err as Error).message}`);
  process.exit(1);
});
