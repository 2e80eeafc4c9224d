import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VaiError } from '../errors.js';
import { PROJECT_ROOT } from '../project.js';

const run = promisify(execFile);

export class ForgeScriptError extends VaiError {
  override name = 'ForgeScriptError';
}

/** Broadcasts a forge script against `rpc` with settings passed in the environment, as an operator would. */
export async function runForgeScript(script: string, rpc: string, privateKey: string, env: Record<string, string>): Promise<void> {
  let output: string;
  try {
    const result = await run('npx', ['forge', 'script', script, '--rpc-url', rpc, '--broadcast', '--private-key', privateKey, '--slow'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    output = `${result.stdout}${result.stderr}`;
  } catch (cause) {
    output = `${(cause as { stdout?: string }).stdout ?? ''}${(cause as { stderr?: string }).stderr ?? ''}`;
    throw new ForgeScriptError(`forge script ${script} failed.`, { cause, details: tail(output) });
  }
  // forge can report a reverted script and still exit 0.
  const failure = /^Error: .*$/m.exec(output);
  if (failure) throw new ForgeScriptError(`forge script ${script} failed: ${failure[0].slice('Error: '.length)}`, { details: tail(output) });
}

const tail = (output: string): string => output.split('\n').slice(-15).join('\n');
