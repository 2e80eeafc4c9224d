// The node's end-to-end tests start anvil with the same helpers as the local network.
export * from '../../../../lib/devnet/anvil.js';
