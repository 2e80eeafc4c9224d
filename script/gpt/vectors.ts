// npm run vectors:transformer: writes test/vectors/transformer.json, the shared vectors of the
// transformer ops (lib/model/gpt/vectors.ts). test/ts/model/gpt-vectors.test.ts fails when it is stale.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTransformerVectors } from '../../lib/model/gpt/vectors.js';
import { PROJECT_ROOT } from '../../lib/project.js';

const vectors = buildTransformerVectors();
await writeFile(join(PROJECT_ROOT, 'test', 'vectors', 'transformer.json'), `${JSON.stringify({ vectors }, null, 1)}\n`);
console.log(`${vectors.length} vectors written to test/vectors/transformer.json`);
