export { type StoreConfig, sqliteConfig, storeConfigFromEnv } from './config.ts';
export { MIGRATIONS, migrate } from './migrations.ts';
export { type OpenOptions, openStore } from './open.ts';
export type * from './types.ts';
