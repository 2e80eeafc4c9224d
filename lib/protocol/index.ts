/**
 * The protocol's vocabulary, defined once and used by the node, the client, the commands, the scripts and the
 * tests: request states and error codes, provenances, terms and proposals, addresses and hex, the JSON encoding
 * of bigints, and the parsing of integer-array inputs.
 */
export * from './hex.js';
export * from './input.js';
export * from './json.js';
export * from './oracle.js';
export * from './bisection.js';
export * from './dispute-way.js';
export * from './graph-step-call.js';
