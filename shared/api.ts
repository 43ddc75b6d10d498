/**
 * The HTTP API's response bodies (README, "HTTP API"): declared once, used by the server's routes and by the page.
 * Every error is `{ "error": "…" }` with a 4xx/5xx status ({@link ApiError}).
 */
import type { Role } from './roles.js';
import type { CycleMeta, EntryData, Section } from './schema.js';
import type { GuardNoticeData } from './presence.js';

export interface ApiError {
  error: string;
  /** A refusal the page offers a way on from: see {@link ApiErrorCode}. */
  code?: ApiErrorCode;
}

/**
 * `ready-needs-curator`: an import that would add entries to the ready list, by someone who is not a curator (its
 * proposed part alone may be imported: `proposedOnly`).
 */
export type ApiErrorCode = 'ready-needs-curator';

/** `POST /api/pads`: the new pad; the curator key is shown only now. */
export interface CreatedPad {
  padId: string;
  editUrl: string;
  readOnlyUrl: string;
  curatorKey: string;
}

/** `GET /api/pads/<pad>/session`: who the page speaks for (the sign-in cookie is HttpOnly). */
export interface SessionInfo {
  role: Role;
  readOnlyUrl?: string;
}

/** `POST …/login` and `…/logout`. */
export interface SignedIn {
  role: Role;
  label?: string;
}

/** One entry's part in a revision. */
export interface EntryChange {
  id: string;
  title: string;
  change: 'added' | 'removed' | 'edited';
  /** For edits: which fields changed. */
  fields?: string[];
}

/** One accepted update of a section, summarised. */
export interface Revision {
  seq: number;
  at: number;
  role: string;
  session: string;
  /** The name the session went by (its presence name), when the server knows it. */
  name?: string;
  /** A curator's revision: the label the key was given when it was made ("PTL" for the PTL's), while the key lives. */
  keyLabel?: string;
  entries: EntryChange[];
  meta: boolean;
}

/** `GET …/history?section=`: the latest revisions, newest first. */
export interface HistoryList {
  section: Section;
  latest: number;
  revisions: Revision[];
}

/** A section's content as of a revision (`GET …/history/<seq>?section=`, plus `section`). */
export interface SectionState {
  seq: number;
  entries: EntryData[];
  meta: CycleMeta;
}

/** `POST …/restore`: whether anything changed. */
export interface RestoreResult {
  applied: boolean;
}

/** `GET …/guard`. */
export interface GuardNoticeList {
  notices: GuardNoticeData[];
}

/** `POST …/import`: what an Etherpad import did. */
export interface ImportReport {
  created: { proposed: number; ready: number };
  /**
   * Entries of the import the pad already has, not created again: the same Launchpad item or Gerrit change or topic
   * (whatever the link form), or, for an entry with no link, the same kind, title, owner and note.
   */
  skipped: Array<{ section: Section; title: string; key: string; existing: Section }>;
  entries: Array<{ section: Section; id: string; kind: string; title: string }>;
  /**
   * What happened to the import's header lines (title, milestones, other lines): written as the pad's cycle header
   * (`meta`: the pad had none, or a curator asked to replace it), kept as a note (`note`: a contributor's import into
   * a pad without one), or not used because the pad has a header of its own (`kept`); `none`: nothing to do.
   */
  header: 'meta' | 'note' | 'kept' | 'none';
  /** With `kept`: the import's title, and whether this importer may replace the pad's header with it. */
  headerKept?: { title: string; replaceable: boolean };
}

/** A live curator key as `GET …/curators` lists it (never the key itself). */
export interface Delegate {
  id: string;
  label: string;
  createdAt: number;
  createdBy: string | null;
  ptl: boolean;
}

export interface DelegateList {
  curators: Delegate[];
}

/** `POST …/curators`: the new delegate key, shown only now. */
export interface DelegateIssued {
  id: string;
  label: string;
  key: string;
}

/** `DELETE …/curators/<id>`: the key and every key made under it. */
export interface DelegateRevoked {
  revoked: string;
  keyIds: string[];
}
