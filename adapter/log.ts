import pretty from 'pino-pretty';
import { pino, type DestinationStream, type Logger } from 'pino';
import { scrubber } from './redact.js';

export type { Logger } from 'pino';

export type LoggerOptions = {
  format: 'pretty' | 'json';
  level?: string;
  destination?: NodeJS.WritableStream;
  /** Strings that must never reach the log (the RPC URL's credentials): replaced by `[redacted]` in every line. */
  secrets?: readonly string[];
};

/**
 * pino JSON lines by default; `pretty` for people at a terminal (formatted in this thread, so that every line
 * passes the scrubber). Keys are redacted wherever they appear; `secrets` are cut out of every line, whatever
 * carried them there (an ethers error message quoting the URL included).
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level ?? 'info',
    redact: { paths: ['key', 'privateKey', '*.key', '*.privateKey', 'config.key'], censor: '[secret]' },
  };
  const target: DestinationStream =
    options.format === 'pretty'
      ? pretty({ colorize: true, translateTime: 'HH:MM:ss.l', sync: true })
      : ((options.destination as DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: true }));
  const scrub = scrubber(options.secrets ?? []);
  const destination: DestinationStream = options.secrets?.length ? { write: (line: string) => target.write(scrub(line)) } : target;
  return pino(base, destination);
}
