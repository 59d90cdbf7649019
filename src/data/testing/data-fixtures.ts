// Test fixtures for the data layer: the same customers/secrets tables in a private PostgreSQL schema, a private
// MariaDB database and a SQLite file, with DataSource and Dataset documents pointing at them.
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { join } from 'node:path';
import pg from 'pg';
import {
  dataSourceSchema,
  datasetSchema,
  type DataSourceDoc,
  type DatasetDoc,
  type DataSourceReader,
} from '../../catalog/catalog-schema.js';
import { tempDir } from '../../testing/databases.js';
import { TEST_MYSQL_URL, TEST_PG_URL } from '../../testing/requires.js';
import type { SqlDialect } from '../masking.js';

export const ROWS = 40;
const NAME = `gh_data_${process.pid}`;

function rows(): [number, string, string, string, string][] {
  return Array.from({ length: ROWS }, (_, i) => [
    i + 1,
    `Customer ${i + 1}`,
    `user${i + 1}@example.com`,
    `123-45-${String(1000 + i)}`,
    i % 2 ? 'eu' : 'us',
  ]);
}

export interface DataFixture {
  dialect: SqlDialect;
  home: string;
  source: DataSourceDoc;
  sources: DataSourceReader;
  dataset(columns?: { name: string; tags?: string[]; mask?: string }[]): DatasetDoc;
  /** Runs admin SQL on the engine (for checks through its catalog). */
  admin(sql: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

const CUSTOMER_COLUMNS = [
  { name: 'id' },
  { name: 'name' },
  { name: 'email', tags: ['pii'], mask: 'partial' },
  { name: 'ssn', tags: ['pii'], mask: 'hash' },
  { name: 'region' },
];

function fixture(
  dialect: SqlDialect,
  home: string,
  spec: Record<string, unknown>,
  admin: DataFixture['admin'],
  drop: () => Promise<void>,
): DataFixture {
  const source = dataSourceSchema.parse({
    apiVersion: 'gatehouse/v1',
    kind: 'DataSource',
    metadata: { name: `crm-${dialect}`, owner: 'dana' },
    spec: { engine: dialect, region: 'eu', ...spec },
  });
  return {
    dialect,
    home,
    source,
    sources: { dataSource: (n) => (n === source.metadata.name ? source : undefined) },
    dataset: (columns = CUSTOMER_COLUMNS) =>
      datasetSchema.parse({
        apiVersion: 'gatehouse/v1',
        kind: 'Dataset',
        metadata: { name: 'customers', owner: 'dana' },
        spec: {
          classification: 'pii',
          region: 'eu',
          source: { dataSource: source.metadata.name, table: 'customers' },
          columns,
        },
      }),
    admin,
    drop,
  };
}

export async function postgresFixture(): Promise<DataFixture> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
  await client.query(`CREATE SCHEMA ${NAME}`);
  await client.query(
    `CREATE TABLE ${NAME}.customers (id int PRIMARY KEY, name text, email text, ssn text, region text)`,
  );
  await client.query(`CREATE TABLE ${NAME}.secrets (id int, value text)`);
  for (const r of rows()) await client.query(`INSERT INTO ${NAME}.customers VALUES ($1,$2,$3,$4,$5)`, r);
  await client.query(`INSERT INTO ${NAME}.secrets VALUES (1, 'top secret')`);
  const u = new URL(TEST_PG_URL);
  return fixture(
    'postgres',
    tempDir('gh-data-pg-'),
    { host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1), schema: NAME, user: u.username },
    async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
    async () => {
      await client.query(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
      await client.end();
    },
  );
}

export async function mysqlFixture(): Promise<DataFixture> {
  const u = new URL(TEST_MYSQL_URL);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  });
  await conn.query(`DROP DATABASE IF EXISTS ${NAME}`);
  await conn.query(`CREATE DATABASE ${NAME}`);
  await conn.query(
    `CREATE TABLE ${NAME}.customers (id int PRIMARY KEY, name text, email text, ssn text, region varchar(8))`,
  );
  await conn.query(`CREATE TABLE ${NAME}.secrets (id int, value text)`);
  await conn.query(`INSERT INTO ${NAME}.customers VALUES ?`, [rows()]);
  await conn.query(`INSERT INTO ${NAME}.secrets VALUES (1, 'top secret')`);
  return fixture(
    'mysql',
    tempDir('gh-data-my-'),
    { host: u.hostname, port: Number(u.port || 3306), database: NAME, user: decodeURIComponent(u.username) },
    async (sql) => (await conn.query(sql))[0] as Record<string, unknown>[],
    async () => {
      await conn.query(`DROP DATABASE IF EXISTS ${NAME}`);
      await conn.end();
    },
  );
}

export async function sqliteFixture(): Promise<DataFixture> {
  const home = tempDir('gh-data-lite-');
  const db = new Database(join(home, 'crm.db'));
  db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, ssn TEXT, region TEXT)');
  db.exec('CREATE TABLE secrets (id INTEGER, value TEXT)');
  const ins = db.prepare('INSERT INTO customers VALUES (?, ?, ?, ?, ?)');
  for (const r of rows()) ins.run(...r);
  db.exec(`INSERT INTO secrets VALUES (1, 'top secret')`);
  return fixture(
    'sqlite',
    home,
    { database: 'crm.db' },
    async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
    async () => {
      db.close();
    },
  );
}
