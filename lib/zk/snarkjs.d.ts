/** The part of snarkjs 0.7 this project uses (the package ships no types). */
declare module 'snarkjs' {
  export type FileRef = string | { type: 'mem'; data?: Uint8Array };
  export type Groth16Proof = {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  };
  export type VerificationKey = {
    protocol: string;
    curve: string;
    nPublic: number;
    [key: string]: unknown;
  };
  export type Logger = {
    info(msg: string): void;
    debug(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
  };
  export const groth16: {
    fullProve(input: Record<string, unknown>, wasm: FileRef, zkey: FileRef, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    prove(zkey: FileRef, wtns: FileRef, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vk: VerificationKey, publicSignals: readonly string[], proof: Groth16Proof, logger?: Logger): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: readonly string[]): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: Logger): Promise<unknown>;
    contribute(oldFile: string, newFile: string, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldFile: string, newFile: string, logger?: Logger): Promise<unknown>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: FileRef, logger?: Logger): Promise<unknown>;
    contribute(oldZkey: FileRef, newZkey: FileRef, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    beacon(oldZkey: FileRef, newZkey: FileRef, name: string, beaconHash: string, numIterationsExp: number, logger?: Logger): Promise<unknown>;
    exportVerificationKey(zkey: FileRef, logger?: Logger): Promise<VerificationKey>;
    exportSolidityVerifier(zkey: FileRef, templates: { groth16: string }, logger?: Logger): Promise<string>;
  };
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: FileRef, wtns: FileRef): Promise<void>;
    check(r1cs: FileRef, wtns: FileRef, logger?: Logger): Promise<boolean>;
    exportJson(wtns: FileRef): Promise<bigint[]>;
  };
  export const r1cs: {
    info(r1cs: string, logger?: Logger): Promise<{ nConstraints: number; nVars: number; nOutputs: number; nPubInputs: number; nPrvInputs: number }>;
  };
  export const curves: {
    getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }>;
  };
}
