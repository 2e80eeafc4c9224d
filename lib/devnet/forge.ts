import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VaiError } from '../errors.js';
import { PROJECT_ROOT } from '../model/examples.js';

const run = promisify(execFile);

export class ForgeScriptError extends VaiError {
  override name = 'ForgeScriptError';
}

/** Broadcasts a forge script against `rpc` with settings passed in the environment, as an operator would. */
export async function runForgeScript(script: string, rpc: string, privateKey: string, env: Record<string, string>): Promise<void> {
  try {
    await run('npx', ['forge', 'script', script, '--rpc-url', rpc, '--broadcast', '--private-key', privateKey, '--slow'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (cause) {
    const output = `${(cause as { stdout?: string }).stdout ?? ''}${(cause as { stderr?: string }).stderr ?? ''}`;
    throw new ForgeScriptError(`forge script ${script} failed.`, { cause, details: output.split('\n').slice(-15).join('\n') });
  }
}
