// The lower bound for durable fan-out: the raw relay, but every document message (y-websocket sync messages,
// first byte 0) is appended to a file and fdatasync'ed before it is forwarded; presence is forwarded at once.
// What "durable before anyone else sees it" costs on this disk, with no decoding and no database at all.
import http from 'node:http';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';

const dir = mkdtempSync(path.join(process.env.BENCH_DATA_DIR ?? os.tmpdir(), 'durable-relay-'));
const log = openSync(path.join(dir, 'log'), 'a');
process.on('exit', () => {
  closeSync(log);
  rmSync(dir, { recursive: true, force: true });
});
process.on('SIGTERM', () => process.exit(0));

const rooms = new Map();
const server = http.createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const room = req.url ?? '/';
  let peers = rooms.get(room);
  if (!peers) rooms.set(room, (peers = new Set()));
  peers.add(ws);
  ws.on('message', (data, isBinary) => {
    if (data[0] === 0) {
      writeSync(log, data);
      fdatasyncSync(log);
    }
    for (const peer of peers) if (peer !== ws && peer.readyState === 1) peer.send(data, { binary: isBinary });
  });
  ws.on('close', () => {
    peers.delete(ws);
    if (peers.size === 0) rooms.delete(room);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
