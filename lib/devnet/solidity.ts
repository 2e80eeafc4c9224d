import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { ContractFactory, type BaseContract, type Signer } from 'ethers';
import { VaiError } from '../errors.js';
import { PROJECT_ROOT } from '../project.js';

const require = createRequire(import.meta.url);

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
};
type Solc = { compile(input: string, callbacks: { import(path: string): { contents: string } | { error: string } }): string };

export class SolidityCompileError extends VaiError {
  override name = 'SolidityCompileError';
}

export type CompiledContract = { abi: unknown[]; bytecode: string };

/**
 * Compiles one Solidity file generated at run time (a model's verifier) with the project's pinned solcjs,
 * resolving imports against the project root and node_modules, with the settings of foundry.toml.
 */
export function compileSolidity(file: string, contractName: string): CompiledContract {
  const solc = require('solc') as Solc;
  const source = readFileSync(file, 'utf8');
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const resolveImport = (path: string): { contents: string } | { error: string } => {
    for (const candidate of isAbsolute(path) ? [path] : [join(PROJECT_ROOT, path), join(PROJECT_ROOT, 'node_modules', path)]) {
      try {
        return { contents: readFileSync(candidate, 'utf8') };
      } catch {
        // try the next root
      }
    }
    return { error: `File not found: ${path}` };
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: resolveImport })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new SolidityCompileError(`Cannot compile ${file}.`, { details: errors.map((e) => e.formattedMessage).join('\n') });
  const contract = output.contracts?.[file]?.[contractName];
  if (!contract) throw new SolidityCompileError(`${file} has no contract named ${contractName}.`);
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

/** Deploys a compiled contract and waits for it to be mined. */
export async function deployCompiled(compiled: CompiledContract, signer: Signer, args: readonly unknown[] = []): Promise<BaseContract> {
  const factory = new ContractFactory(compiled.abi as never[], compiled.bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract;
}
