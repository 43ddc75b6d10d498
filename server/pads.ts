/**
 * The pads: creation, and resolving a pad reference from a URL (its editable name, or `r.<token>` for the
 * read-only mirror) to the pad and the role that reference grants.
 */
import { randomBytes } from 'node:crypto';
import type { PadRecord } from './storage/store.js';
import type { Storage } from './storage/storage.js';
import { hashSecret, readOnlyToken, sessionCookieName } from './auth/secrets.js';
import { CuratorKeys } from './auth/curator-keys.js';
import { READ_ONLY_REF } from '../shared/pad-name.js';

export interface CreatedPad {
  pad: PadRecord;
  curatorKey: string;
  readOnlyRef: string;
}

export interface ResolvedPad {
  pad: PadRecord;
  /** True when reached through the read-only mirror (`r.<token>`): the caller is a viewer, whatever else they hold. */
  readOnly: boolean;
}

export class PadDirectory {
  constructor(
    private readonly store: Pick<Storage, 'createPad' | 'getPad' | 'findPadByReadOnlyHash'>,
    private readonly serverSecret: Buffer,
  ) {}

  /** Creates the pad with its first curator (the PTL); undefined if the name is taken. */
  async create(name: string): Promise<CreatedPad | undefined> {
    const nonce = randomBytes(16).toString('hex');
    const token = readOnlyToken(this.serverSecret, nonce);
    const pad: PadRecord = { id: name, createdAt: Date.now(), readOnlyNonce: nonce, readOnlyTokenHash: hashSecret(token) };
    const ptl = CuratorKeys.issue(name, 'PTL', null, true);
    if (!(await this.store.createPad(pad, ptl.record))) return undefined;
    return { pad, curatorKey: ptl.key, readOnlyRef: `r.${token}` };
  }

  /** `r.<32 hex>` for the pad's read-only mirror. */
  readOnlyRef(pad: PadRecord): string {
    return `r.${readOnlyToken(this.serverSecret, pad.readOnlyNonce)}`;
  }

  /** The name of the pad's sign-in cookie: derived with the server secret, it does not reveal the pad's name. */
  sessionCookieName(padId: string): string {
    return sessionCookieName(this.serverSecret, padId);
  }

  async resolve(ref: string): Promise<ResolvedPad | undefined> {
    const readOnly = READ_ONLY_REF.exec(ref);
    if (readOnly) {
      const pad = await this.store.findPadByReadOnlyHash(hashSecret(readOnly[1]!));
      return pad && { pad, readOnly: true };
    }
    const pad = await this.store.getPad(ref);
    return pad && { pad, readOnly: false };
  }
}
