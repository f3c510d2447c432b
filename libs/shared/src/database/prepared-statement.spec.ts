import { preparedStatement } from './transaction-host';

describe('preparedStatement', () => {
  it('keeps the name and text the pool prepares', () => {
    expect(preparedStatement('spec.by-id', 'SELECT 1 WHERE $1::int = 1')).toEqual({
      name: 'spec.by-id',
      text: 'SELECT 1 WHERE $1::int = 1',
    });
  });

  it('refuses a name declared twice (a connection holds one text per name)', () => {
    preparedStatement('spec.twice', 'SELECT 1');
    expect(() => preparedStatement('spec.twice', 'SELECT 2')).toThrow('The prepared statement spec.twice is declared twice');
  });
});
