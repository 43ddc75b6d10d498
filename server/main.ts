/** `npm start`: the server on the embedded default (SQLite in DATA_DIR). */
import { configFromEnv } from './config.js';
import { startServer } from './server.js';

const config = configFromEnv();
const server = await startServer(config);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  server.log.info({ signal }, 'stopping: closing sockets and flushing');
  // Whatever it is doing, the process is gone within seconds of the signal (the work per event-loop turn is
  // bounded, so this timer gets its turn even under load).
  setTimeout(() => {
    server.log.error('shutdown took over 5 s: exiting without waiting further');
    process.exit(1);
  }, 5000).unref();
  server.close(signal === 'SIGTERM' ? 1012 : 1001).then(
    () => process.exit(0),
    (err: unknown) => {
      server.log.error({ err }, 'unclean shutdown');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
