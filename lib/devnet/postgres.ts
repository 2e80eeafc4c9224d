import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaiError } from '../errors.js';
import { freePort } from './anvil.js';

export class PostgresError extends VaiError {
  override name = 'PostgresError';
}

/** A throwaway PostgreSQL cluster on a loopback port (tests and benchmarks): `stop()` removes it. */
export type LocalPostgres = {
  port: number;
  /** The server's own `postgres` database. */
  url: string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): string;
  stop(): void;
};

/** The folder of `initdb` and `pg_ctl`: `VAI_PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin`. */
export function postgresBinDir(): string {
  const fromEnv = process.env.VAI_PG_BIN;
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new PostgresError('No PostgreSQL server binaries (initdb, pg_ctl).', {
      metaMessages: ['Install them (Debian: apt-get install postgresql) or point VAI_PG_BIN at their folder.'],
    });
  return join(base, versions[0]!, 'bin');
}

/**
 * Starts a fresh cluster: initdb in a temporary folder, the server on a free loopback port with trust
 * authentication, nothing on disk kept after `stop()`. The server refuses to run as root, so as root it runs as
 * the `postgres` user (which owns the folder). A process that exits without `stop()` still stops the server.
 */
export async function startPostgres(options: { fsync?: boolean } = {}): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  const root = mkdtempSync(join(tmpdir(), 'vai-pg-'));
  const data = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    try {
      execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
    } catch (cause) {
      const stderr = String((cause as { stderr?: Buffer }).stderr ?? '').trim();
      throw new PostgresError(`${cmd} failed: ${stderr.split('\n').slice(-3).join(' ')}`, { cause });
    }
  };
  if (asRoot) {
    chownSync(root, pgUid(), pgGid());
    chmodSync(root, 0o700);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=200',
    `-c fsync=${options.fsync === false ? 'off' : 'on'}`,
  ].join(' ');
  run('pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-o', settings, '-w', '-t', '60', 'start']);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  process.on('exit', stop);
  const urlOf = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
    port,
    url: urlOf('postgres'),
    createDatabase: (name: string) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new PostgresError(`Not a plain database name: ${name}`);
      const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, 'psql')]] : [join(bin, 'psql'), [] as string[]];
      execFileSync(file, [...argv, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return urlOf(name);
    },
    stop,
  };
}

function pgUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
}

function pgGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
}
