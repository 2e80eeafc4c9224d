import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root (one level above `lib/`, also from the compiled copy in `dist/lib/`, which resolves to
 * `dist/`'s parent through {@link projectRootOf}): example models, circuits and the forge project live there.
 */
export const PROJECT_ROOT = projectRootOf(fileURLToPath(new URL('..', import.meta.url)));

/** `dir` itself, or its parent when `dir` is the compiled copy (`dist/`). */
function projectRootOf(dir: string): string {
  const root = resolve(dir);
  return root.endsWith(`${'/'}dist`) || root.endsWith('\\dist') ? resolve(root, '..') : root;
}
