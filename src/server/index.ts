export { createServer, type SkygearServer } from './server';
export { loadConfig, appSchema, type Config } from './config';
export { SkygearError, ErrorCodes } from './errors';
export { createLogger, silentLogger, type Logger } from './log';
