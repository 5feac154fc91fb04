export { createServer, type SkygearServer } from './server';
export { loadConfig, type Config } from './core/config';
export { appSchemaName as appSchema } from '../protocol/host-tables';
export { SkygearError, ErrorCodes } from './core/errors';
export { createLogger, silentLogger, type Logger } from './core/log';
