/** A suite's real server: started before its tests, closed (and its data directory removed) after them. vitest only. */
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../server/config.js';
import { removeDir, startTestServer } from './server.js';

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

export function serverSuite(overrides: Partial<Config> = {}): { readonly server: TestServer } {
  const suite = {} as { server: TestServer };
  beforeAll(async () => {
    suite.server = await startTestServer(undefined, overrides);
  });
  afterAll(async () => {
    await suite.server?.close();
    if (suite.server) removeDir(suite.server.dataDir);
  });
  return suite;
}
