import { SqlBuilder } from './sql-builder';

describe('SqlBuilder', () => {
  it('numbers parameters in order and keeps values out of the text', () => {
    const sql = new SqlBuilder('deleted IS NULL');
    sql.where('(login LIKE ? OR email LIKE ?)', "x'; DROP TABLE users; --%").where('status = ?', 'ACTIVE');
    const limit = sql.param(10);
    expect(`${sql.whereClause} LIMIT ${limit}`).toBe('WHERE deleted IS NULL AND (login LIKE $1 OR email LIKE $1) AND status = $2 LIMIT $3');
    expect(sql.params).toEqual(["x'; DROP TABLE users; --%", 'ACTIVE', 10]);
  });

  it('gives no WHERE without conditions', () => {
    expect(new SqlBuilder().whereClause).toBe('');
  });
});
