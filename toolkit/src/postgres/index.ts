export { withTransaction, lockForTransaction } from './transaction.js';
export { migrate, type MigrateOptions } from './migrations.js';
