#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx, so `npx vai …` works on a fresh clone without a build.
import { register } from 'tsx/esm/api';

register();
await import('../lib/cli/main.ts');
