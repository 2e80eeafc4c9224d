import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseNodeConfig, type NodeConfigInput } from '../../../../adapter/config.js';
import { startNode, type RunningNode } from '../../../../adapter/node.js';

export function tempDir(prefix = 'vai-node-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts a node in this process with test-friendly settings; logs go to `<db dir>/node.log`. */
export async function startTestNode(
  settings: Partial<NodeConfigInput> & Pick<NodeConfigInput, 'rpc' | 'key' | 'oracle' | 'models'>,
): Promise<RunningNode & { logFile: string }> {
  const dir = tempDir();
  const config = parseNodeConfig(
    // No finalization grace: the tests move chain time exactly past windows (one test turns it on).
    { port: 0, db: join(dir, 'node.db'), confirmations: 1, pollIntervalMs: 100, log: 'json', logLevel: 'debug', finalizeGraceS: 0, ...settings },
    { VAI_UNSAFE_TEST_OPTIONS: '1' },
  );
  const logFile = join(dir, 'node.log');
  const logger = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }));
  const node = await startNode(config, { logger });
  return { ...node, logFile };
}
