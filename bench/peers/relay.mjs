// The lower bound for fan-out: a ws server forwarding every binary message to the other sockets of its room,
// without decoding it.
// With --durable <dir>, the lower bound for durable fan-out: every document message (y-websocket sync messages, first
// byte 0) is appended to a file and fdatasync'ed before it is forwarded; presence is forwarded at once. What
// "durable before anyone else sees it" costs on this disk, with no decoding and no database at all.
import http from 'node:http';
import { fdatasyncSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { WebSocketServer } from 'ws';

let persist = () => {};
const durable = process.argv.indexOf('--durable');
if (durable > 0) {
  const log = openSync(path.join(process.argv[durable + 1], 'relay.log'), 'a');
  persist = (data) => {
    if (data[0] !== 0) return;
    writeSync(log, data);
    fdatasyncSync(log);
  };
}

const rooms = new Map();
const server = http.createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const room = req.url ?? '/';
  let peers = rooms.get(room);
  if (!peers) rooms.set(room, (peers = new Set()));
  peers.add(ws);
  ws.on('message', (data, isBinary) => {
    persist(data);
    for (const peer of peers) if (peer !== ws && peer.readyState === 1) peer.send(data, { binary: isBinary });
  });
  ws.on('close', () => {
    peers.delete(ws);
    if (peers.size === 0) rooms.delete(room);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
// (the benchmark stops a profiled peer with SIGINT: exiting lets node write its CPU profile)
process.on('SIGINT', () => process.exit(0));
