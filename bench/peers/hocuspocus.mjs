// @hocuspocus/server 4.x with its defaults (no extensions: in memory).
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: true });
await server.listen();
console.log(`LISTENING ${server.address.port}`);
// (the benchmark stops a profiled peer with SIGINT: exiting lets node write its CPU profile)
process.on('SIGINT', () => process.exit(0));
