import { Client } from 'pg';
import { createTestDatabase, migrateTestDatabase } from '@emporia/testing';
import { RISK_MIGRATIONS } from '../src/infrastructure/migrations';
import { AddressListFingerprints1764000002100 } from '../src/infrastructure/migrations/1764000002100-address-list-fingerprints';

jest.setTimeout(60_000);

const UP_TO = RISK_MIGRATIONS.slice(
  0,
  RISK_MIGRATIONS.indexOf(AddressListFingerprints1764000002100) + 1,
);

/**
 * Issue 24: listed addresses are normalised as order's new fingerprint is, so an entry made
 * before still matches; entries that become one keep the earliest reason.
 */
describe('risk migration: listed addresses normalised as order fingerprints them', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  const migrate = (migrations: typeof UP_TO) => migrateTestDatabase(db.url, migrations);

  beforeAll(async () => {
    db = await createTestDatabase('risk_address_list_mig');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('rewrites each entry to the normalised fingerprint, merging duplicates into the earliest', async () => {
    await migrate(UP_TO.slice(0, -1));
    const add = (kind: string, value: string, reason: string, at: string) =>
      pg.query(`INSERT INTO list_entries (kind, value, reason, added_at) VALUES ($1, $2, $3, $4)`, [
        kind,
        value,
        reason,
        at,
      ]);
    // as the old normalisation stored them: lower case, no white space
    await add('ADDRESS', 'cn|广东|深圳|南山|科技园，1号|', 'first report', '2026-01-01T00:00:00Z');
    await add(
      'ADDRESS',
      'cn|廣東省|深圳市|南山區|科技園1號|',
      'second report',
      '2026-02-01T00:00:00Z',
    );
    await add('ADDRESS', 'cn|火星省|某市||某路1号|', 'elsewhere', '2026-03-01T00:00:00Z');
    await add('PHONE', '+8613800138000', 'untouched', '2026-03-01T00:00:00Z');
    expect(await migrate(UP_TO)).toEqual(['AddressListFingerprints1764000002100']);
    const rows = await pg.query(
      `SELECT kind, value, reason FROM list_entries ORDER BY kind, value`,
    );
    expect(rows.rows).toEqual([
      { kind: 'ADDRESS', value: 'cn|广东省|深圳市|南山区|科技园1号|', reason: 'first report' },
      { kind: 'ADDRESS', value: 'cn|火星省|某市||某路1号|', reason: 'elsewhere' },
      { kind: 'PHONE', value: '+8613800138000', reason: 'untouched' },
    ]);
  });
});
