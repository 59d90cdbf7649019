// Every feature's migrations, in the order they apply. Add a feature's list at the end; never reorder.
import type { Migration } from './sql-db.js';

export const allMigrations: Migration[] = [];
