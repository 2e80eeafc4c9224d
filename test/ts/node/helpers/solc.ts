import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

type SolcOutput = {
  errors?: Array<{ severity: string; formattedMessage: string }>;
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
};

/**
 * Compiles one generated Solidity file (a model's `zk/Verifier.sol`) with solcjs in this process; imports
 * such as `src-sol/…` resolve against the repository root. Returns the ABI and creation bytecode.
 */
export function compileContract(path: string, contractName: string): { abi: unknown[]; bytecode: string } {
  const solc = require('solc') as { compile(input: string, options: { import(p: string): { contents: string } | { error: string } }): string };
  const input = {
    language: 'Solidity',
    sources: { [path]: { content: readFileSync(path, 'utf8') } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (p) => {
        try {
          return { contents: readFileSync(join(ROOT, p), 'utf8') };
        } catch {
          return { error: `not found: ${p}` };
        }
      },
    }),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const contract = output.contracts[path]?.[contractName];
  if (!contract) throw new Error(`${contractName} not found in ${path}`);
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}
