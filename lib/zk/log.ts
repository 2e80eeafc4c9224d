import { pino, type Logger } from 'pino';

/** The pipeline's logger: JSON lines on stderr, so stdout stays free for command results. */
export const zkLog: Logger = pino({ name: 'vai-zk', level: process.env.VAI_LOG_LEVEL ?? 'info' }, pino.destination(2));

/** Adapts pino to the logger interface snarkjs expects (its chatter goes to debug). */
export function snarkLogger(log: Logger = zkLog): { info(m: string): void; debug(m: string): void; warn(m: string): void; error(m: string): void } {
  return {
    info: (m) => log.debug(m),
    debug: (m) => log.trace(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
  };
}
