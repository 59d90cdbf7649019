import { SqlGuard } from '../src/data/sql-guard.js';
for (const [d, ph] of [
  ['postgres', '$1'],
  ['mysql', '?'],
  ['sqlite', '?'],
] as const) {
  const g = new SqlGuard(d, 0);
  for (const sql of [
    `SELECT id, name, email FROM customers WHERE region = ${ph} ORDER BY id LIMIT 50`,
    `select ID , Email from CUSTOMERS where region=${ph} and id >= 3 order by id desc, name`,
    `SELECT * FROM customers`,
    `SELECT id FROM customers WHERE name <> 'x' AND id < 10 LIMIT 5`,
    `SELECT id FROM customers WHERE id IN (1,2)`,
    `SELECT id FROM customers WHERE id = -1`,
    `SELECT id FROM customers WHERE id = 1.5`,
  ]) {
    try {
      const r = g.check({
        sql,
        table: 'customers',
        qualifiedTable: 'Q',
        allowed: ['id', 'name', 'email', 'region'],
        masks: { email: 'partial' },
        rowLimit: 100,
        tokenKey: 'k',
      });
      console.log(d, JSON.stringify(r.normalized), r.columns, r.sql.slice(0, 40));
    } catch (e) {
      console.log(d, 'ERR', (e as Error).message);
    }
  }
}
