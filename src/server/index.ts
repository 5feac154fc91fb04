export { createServer, type SkygearServer } from './server';
export { loadConfig, type Config } from './config';
export { appSchemaName as appSchema } from '../protocol/host-tables';
export { SkygearError, ErrorCodes } from './errors';
export { createLogger, silentLogger, type Logger } from './log';
