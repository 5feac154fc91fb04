import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, name = 'skygear'): Logger {
  return pino({ name, level });
}

/** For tests and embedding: a logger that writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
