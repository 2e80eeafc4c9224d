import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export type LoggerOptions = { format: 'pretty' | 'json'; level?: string; destination?: NodeJS.WritableStream };

/** pino JSON lines by default; `pretty` for people at a terminal. Keys are redacted wherever they appear. */
export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level ?? 'info',
    redact: { paths: ['key', 'privateKey', '*.key', '*.privateKey', 'config.key'], censor: '[secret]' },
  };
  if (options.format === 'pretty') {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } });
  }
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}
