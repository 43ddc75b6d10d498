// The official y-websocket backend (@y/websocket-server 0.1.1), as its README runs it: one ws server, rooms by path.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';

const server = http.createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', setupWSConnection);
server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
// (the benchmark stops a profiled peer with SIGINT: exiting lets node write its CPU profile)
process.on('SIGINT', () => process.exit(0));
