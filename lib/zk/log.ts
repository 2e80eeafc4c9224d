import { pino, type Logger } from 'pino';

/** The pipeline's logger: JSON lines on stderr, so stdout stays free for command results. */
export const zkLog: Logger = pino({ name: 'vai-zk', level: process.env.VAI_LOG_LEVEL ?? 'info' }, pino.destination(2));

/**
 * Adapts pino to the logger interface snarkjs expects (its chatter goes to debug). snarkjs also calls `log` (progress
 * of powers of tau from power 16 on, every 100,000 points).
 */
export function snarkLogger(log: Logger = zkLog): {
  info(m: string): void;
  debug(m: string): void;
  warn(m: string): void;
  error(m: string): void;
  log(m: string): void;
} {
  return {
    log: (m) => log.trace(m),
    info: (m) => log.debug(m),
    debug: (m) => log.trace(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
  };
}
