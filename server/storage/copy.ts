/**
 * Copies one store into another (`cyclepad migrate --from <sqlite data dir> --to <postgres url>`): every pad with
 * all its keys (revoked ones stay revoked, makers and the PTL mark kept) and sign-in sessions, every section
 * document's whole log with its sequence numbers, roles, sessions and times, its snapshot, and the guard notices.
 * The history index is not copied: the server rebuilds it from the log.
 *
 * The target must not hold any of the source's pads (nothing is overwritten). Run it with the servers stopped: a
 * pad changed while it is copied may be copied half old, half new. The log names no pad (a pad's name is its edit
 * link).
 */
import { SECTIONS } from '../../shared/schema.js';
import type { Storage } from './storage.js';

/** Log rows read and written per transaction. */
const PAGE = 1000;

export async function copyStorage(
  from: Storage,
  to: Storage,
  log: (msg: string) => void = () => {},
): Promise<{ pads: number; updates: number }> {
  const pads = await from.listPads();
  const clashes = (await Promise.all(pads.map(async (p) => ((await to.getPad(p.id)) ? 1 : 0)))).reduce<number>((a, b) => a + b, 0);
  if (clashes > 0) {
    throw new Error(`the target already holds ${clashes} of the ${pads.length} pads to copy: copy into an empty database`);
  }
  log(`copying ${pads.length} pads from ${from.description} to ${to.description}`);
  let copiedPads = 0;
  let copiedUpdates = 0;
  for (const [n, listed] of pads.entries()) {
    const data = await from.exportPad(listed.id);
    if (!data) continue; // deleted since it was listed
    if (!(await to.importPad(data))) throw new Error(`pad ${n + 1} of ${pads.length} appeared in the target while copying`);
    const incarnation = data.pad.readOnlyNonce;
    let padUpdates = 0;
    for (const section of SECTIONS) {
      const ref = { padId: data.pad.id, section };
      for (let after = 0; ; ) {
        const rows = await from.readLog(ref, after, PAGE);
        if (rows.length === 0) break;
        if (!(await to.importLog(ref, incarnation, rows))) throw new Error(`pad ${n + 1} of ${pads.length} vanished from the target while copying`);
        padUpdates += rows.length;
        after = rows[rows.length - 1]!.seq;
        if (rows.length < PAGE) break;
      }
      const [sourceHead, targetHead] = await Promise.all([from.headSeq(ref), to.headSeq(ref)]);
      if (sourceHead !== targetHead) {
        throw new Error(`pad ${n + 1} of ${pads.length}, ${section}: the copy ends at ${targetHead}, the source at ${sourceHead}`);
      }
      const { snapshot } = await from.loadDocument(ref);
      if (snapshot) await to.writeSnapshot(ref, incarnation, snapshot.seq, snapshot.state);
    }
    const notices = await from.listGuardNotices(data.pad.id);
    if (notices.length > 0) await to.saveGuardNotices(data.pad.id, notices);
    await to.saveSessionNames(data.pad.id, data.pad.readOnlyNonce, await from.listSessionNames(data.pad.id));
    copiedPads += 1;
    copiedUpdates += padUpdates;
    log(`pad ${n + 1}/${pads.length}: ${data.keys.length} keys, ${data.sessions.length} sessions, ${padUpdates} updates`);
  }
  log(`copied ${copiedPads} pads, ${copiedUpdates} updates`);
  return { pads: copiedPads, updates: copiedUpdates };
}
