// Runs the forge binary of @foundry-rs/forge directly. The package's `forge` command (node_modules/.bin/forge, what
// `npx forge` runs) is a Node wrapper that does not pass the binary's exit status on: through it, failing tests and
// solc crashes exit 0. Scripts that must fail when forge fails use `forge()` from here.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @foundry-rs's platform packages, by Node's platform and architecture names. */
const ARCH = { x64: 'amd64', arm64: 'arm64' };

/** Path of the platform's forge binary (the package @foundry-rs/forge installs it as an optional dependency). */
export function forgeBinary() {
  const name = process.platform === 'win32' ? 'forge.exe' : 'forge';
  return require.resolve(`@foundry-rs/forge-${process.platform}-${ARCH[process.arch] ?? process.arch}/bin/${name}`);
}

/** Runs `forge <args>` in `cwd` with the output inherited; throws when forge exits non-zero. */
export function forge(args, { cwd, env = {} }) {
  execFileSync(forgeBinary(), args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
}
