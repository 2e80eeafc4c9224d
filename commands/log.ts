import { pino } from 'pino';

/** CLI logs go to stderr (stdout is reserved for results); level from `VAI_LOG_LEVEL`, default `warn`. */
export const log = pino({ name: 'vai', level: process.env.VAI_LOG_LEVEL ?? 'warn' }, pino.destination(2));
