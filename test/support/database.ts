import { randomBytes } from 'node:crypto';

/** The engine every suite runs on: PGlite in memory unless TEST_DATABASE_URL names PostgreSQL. */
export const testDatabaseUrl = (): string => process.env.TEST_DATABASE_URL || 'memory://';

export const isPostgres = (): boolean => /^postgres(ql)?:\/\//.test(testDatabaseUrl());

/** A schema name unique to one test server, so suites sharing one PostgreSQL database never collide. */
export const uniqueAppName = (): string => `t_${randomBytes(6).toString('hex')}`;
