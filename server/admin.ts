#!/usr/bin/env node
/**
 * The operators' command line: `npm run admin -- <command>` or `npx cyclepad <command>`, on the data directory
 * of `DATA_DIR` (default ./data). It works on storage directly, so it can run beside a live server: a key revoked
 * here stops working on the server's open sockets at their next write.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { configFromEnv } from './config.js';
import { SqliteStore } from './storage/sqlite-store.js';
import { loadServerSecret } from './auth/secrets.js';
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
  export <pad> [--format json|txt|md]   print a pad`;

class UsageError extends Error {}

function main(argv: string[]): void {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'json' }, yes: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, padArg] = positionals;
  if (values.help || !command) throw new UsageError('');
  const config = configFromEnv();
  const store = new SqliteStore(config.dataDir);
  const log = pino({ level: 'warn' }, pino.destination(2));
  const registry = new DocumentRegistry(store, log, { unloadDelayMs: 0, snapshotEvery: config.snapshotEvery });
  const pads = new PadDirectory(store, loadServerSecret(config.dataDir));
  const keys = new CuratorKeys(store);
  const pad = () => {
    if (!padArg) throw new UsageError(`${command} needs a pad name`);
    const resolved = pads.resolve(padArg);
    if (!resolved) throw new Error(`no such pad: ${padArg}`);
    return resolved;
  };
  try {
    switch (command) {
      case 'pads':
        for (const p of store.listPads()) {
          const updates = SECTIONS.map((s) => `${s} ${store.readLog({ padId: p.id, section: s }).length}`).join(', ');
          console.log(`${p.id}\tcreated ${new Date(p.createdAt).toISOString()}\tupdates: ${updates}`);
        }
        return;
      case 'curators':
        for (const k of keys.list(pad().pad.id)) {
          const by = k.ptl ? 'PTL key' : k.createdBy ? `made by ${k.createdBy}` : 'maker not recorded (made before this was kept)';
          console.log(`${k.id}\t${k.label}\tcreated ${new Date(k.createdAt).toISOString()}\t${by}`);
        }
        return;
      case 'reset-ptl': {
        const { id } = pad().pad;
        // One transaction: the old PTL key is revoked and the new one made together (the delegates stay).
        const { issued } = keys.resetPtl(id);
        console.log(`new PTL key for ${id} (shown once): ${issued.key}`);
        return;
      }
      case 'delete': {
        const { id } = pad().pad;
        if (!values.yes) throw new UsageError(`delete removes ${id} and all its history: add --yes`);
        // One transaction: the pad row, and with it (ON DELETE CASCADE) its keys, sessions, log, snapshots and
        // history index. A running server's stray write for it fails afterwards instead of resurrecting it.
        store.deletePad(id);
        console.log(`deleted ${id}`);
        return;
      }
      case 'compact': {
        let documents = 0;
        for (const p of store.listPads()) {
          for (const section of SECTIONS) {
            registry.use({ padId: p.id, section }, (d) => d.snapshot());
            documents++;
          }
        }
        registry.closeAll();
        store.vacuum();
        console.log(`compacted: ${documents} documents snapshotted, database vacuumed`);
        return;
      }
      case 'export': {
        const { pad: p, readOnly } = pad();
        const data = exportPad(registry, p.id, readOnly ? padArg! : p.id);
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
    registry.closeAll();
    store.close();
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    if (err.message) console.error(err.message);
    console.error(USAGE);
    process.exit(2);
  }
  console.error(`cyclepad: ${(err as Error).message}`);
  process.exit(1);
}
