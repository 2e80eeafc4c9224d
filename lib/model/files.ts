import { chmod, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ModelDirError } from './errors.js';

/** File names inside a model folder. */
export const MODEL_FILES = { manifest: 'model.json', float: 'model.onnx', integer: 'model.int.onnx' } as const;

/**
 * Writes a whole folder or nothing: the files go to a fresh sibling temp folder, which is renamed to
 * `outDir` only once every file is written. An existing `outDir` is replaced only if it is empty or a
 * model folder (holds `model.json`), so a wrong `--out` never deletes unrelated files.
 */
export async function writeDirAtomic(outDir: string, files: Record<string, Uint8Array | string>): Promise<void> {
  const target = resolve(outDir);
  const existing = await readdir(target).catch(() => null);
  if (existing && existing.length > 0 && !existing.includes(MODEL_FILES.manifest)) {
    throw new ModelDirError(outDir, 'exists and is not a model folder; refusing to replace it');
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  await chmod(tmp, 0o755);
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(join(tmp, name), content);
    if (existing) {
      const old = `${tmp}.old`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (cause) {
    await rm(tmp, { recursive: true, force: true });
    throw cause;
  }
}
