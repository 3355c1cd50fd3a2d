import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';
import { poolConfigFromDsn } from '@go-micro/toolkit';

describe('DSN', () => {
  it("when given the course's key=value DSN, maps every setting", () => {
    const config = poolConfigFromDsn(
      'host=postgres port=5432 user=postgres password=password dbname=users sslmode=disable timezone=UTC connect_timeout=5',
    );
    expect(config).toEqual({
      host: 'postgres',
      port: 5432,
      user: 'postgres',
      password: 'password',
      database: 'users',
      options: '-c TimeZone=UTC',
      connectionTimeoutMillis: 5000,
    });
  });

  it('when a value is quoted, keeps its spaces and escapes', () => {
    expect(poolConfigFromDsn("host=db password='pa ss\\'word' dbname=users")).toMatchObject({ password: "pa ss'word" });
  });

  it('when given a postgres:// URL, passes it through', () => {
    expect(poolConfigFromDsn('postgres://u:p@h:5/db')).toEqual({ connectionString: 'postgres://u:p@h:5/db' });
  });

  it('when DSN cannot be read, start-up stops naming DSN', () => {
    expect(() => readConfig({ DSN: 'host=db =broken' })).toThrow(/^invalid configuration: DSN: expected key=value/);
  });

  it('when PORT is not a port, start-up stops naming PORT', () => {
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT: expected a port number/);
  });
});
