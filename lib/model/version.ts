import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package version, recorded as `producer_version` in written ONNX files. */
export const VAI_VERSION: string = (require('../../package.json') as { version: string }).version;
