/**
 * The y-websocket wire format: a varuint message type, then its body.
 * Sync bodies are y-protocols sync messages; awareness bodies are awareness updates; auth bodies are permission-denied.
 */
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as authProtocol from 'y-protocols/auth';
import { SERVER_NOTICE_MESSAGE, type ServerNotice } from '../../shared/presence.js';
import { MESSAGE_TYPES } from '../../shared/wire.js';

/** The message types (shared/wire.ts: the page reads the same). */
export const MessageType = MESSAGE_TYPES;

export const SyncType = {
  step1: syncProtocol.messageYjsSyncStep1,
  step2: syncProtocol.messageYjsSyncStep2,
  update: syncProtocol.messageYjsUpdate,
} as const;

function message(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export const syncStep1Message = (stateVector: Uint8Array): Uint8Array =>
  message(MessageType.sync, (e) => {
    encoding.writeVarUint(e, SyncType.step1);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const syncStep2Message = (update: Uint8Array): Uint8Array =>
  message(MessageType.sync, (e) => {
    encoding.writeVarUint(e, SyncType.step2);
    encoding.writeVarUint8Array(e, update);
  });

export const updateMessage = (update: Uint8Array): Uint8Array =>
  message(MessageType.sync, (e) => syncProtocol.writeUpdate(e, update));

export const awarenessMessage = (awarenessUpdate: Uint8Array): Uint8Array =>
  message(MessageType.awareness, (e) => encoding.writeVarUint8Array(e, awarenessUpdate));

export const permissionDeniedMessage = (reason: string): Uint8Array =>
  message(MessageType.auth, (e) => authProtocol.writePermissionDenied(e, reason));

/** A server notice: its own message type, a JSON body (see shared/presence.ts). */
export const serverNoticeMessage = (notice: ServerNotice): Uint8Array =>
  message(SERVER_NOTICE_MESSAGE, (e) => encoding.writeVarString(e, JSON.stringify(notice)));
