// @hocuspocus/server 4.x with its defaults (no extensions: in memory).
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: true });
await server.listen();
console.log(`LISTENING ${server.address.port}`);
