/** Client-side feature code of the example apps (docs/EXAMPLES.md). */
export * from './credit.js';
export * from './datasets.js';
export * from './errors.js';
export * from './text.js';
export * from './text-data.js';
