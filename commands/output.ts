import { VaiError } from '../lib/errors.js';
import { toJson } from '../lib/protocol/json.js';

// The one output convention of every `vai` command: the result on stdout (one JSON document with `--json`,
// else human lines); on failure one line `error: <reason> (<hint>)` on stderr, with `--json` also
// `{ "error": { name, message } }` on stdout, and exit status 1. Logs go to stderr.

export type OutputMode = { json: boolean };

/** Prints a command's result: the JSON document with `--json`, else the human lines. */
export function printResult(mode: OutputMode, result: unknown, human: () => string[]): void {
  process.stdout.write(`${mode.json ? toJson(result) : human().join('\n')}\n`);
}

/** The one-line reason printed for a failed command. */
export function errorLine(err: unknown): string {
  if (err instanceof VaiError) {
    const hint = err.metaMessages[0];
    return `${err.shortMessage}${hint ? ` (${hint})` : ''}`.replace(/\s*\n\s*/g, ' ');
  }
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}

/**
 * Runs a command action with the output convention above; `cleanup` runs in every case (closing providers,
 * stopping worker threads), so that the process can exit.
 */
export async function runAction(mode: OutputMode, action: () => Promise<void>, cleanup?: () => unknown): Promise<void> {
  try {
    await action();
  } catch (err) {
    const line = errorLine(err);
    if (mode.json) process.stdout.write(`${toJson({ error: { name: (err as Error).name ?? 'Error', message: line } })}\n`);
    process.stderr.write(`error: ${line}\n`);
    if (process.env.VAI_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    process.exitCode = 1;
  } finally {
    await cleanup?.();
  }
}

export const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
export const micros = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${v.toFixed(1)} µs`);
