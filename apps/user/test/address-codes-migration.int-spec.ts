import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource } from '@emporia/persistence';
import { createTestDatabase, migrateTestDatabase } from '@emporia/testing';
import { USER_MIGRATIONS } from '../src/infrastructure/migrations';
import { AddressCodes1764000000800 } from '../src/infrastructure/migrations/1764000000800-address-codes';

jest.setTimeout(60_000);

const UP_TO = USER_MIGRATIONS.slice(0, USER_MIGRATIONS.indexOf(AddressCodes1764000000800) + 1);

/**
 * Issue 24: saved addresses get their GB/T 2260 codes from their names, in batches, leaving the
 * names as saved; the migration can be undone and applied again.
 */
describe('user migration: GB/T 2260 codes on saved addresses', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  const migrate = (migrations: typeof UP_TO) => migrateTestDatabase(db.url, migrations);

  beforeAll(async () => {
    db = await createTestDatabase('user_address_codes_mig');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('fills the codes of the levels that resolve, over more than one batch', async () => {
    await migrate(UP_TO.slice(0, -1));
    const account = randomUUID();
    await pg.query(
      `INSERT INTO accounts (id, email, password_hash, roles, status, created_at)
       VALUES ($1, 'old@example.cn', 'x', '{customer}', 'ACTIVE', now())`,
      [account],
    );
    const add = (fields: Record<string, string>) =>
      pg.query(
        `INSERT INTO addresses (id, account_id, recipient, phone, country, province, city, district,
                                line1, line2, postal_code, created_at, updated_at)
         VALUES ($1, $2, '王芳', '+8613900000000', $3, $4, $5, $6, $7, '', '', now(), now())`,
        [
          fields.id ?? randomUUID(),
          account,
          fields.country ?? 'CN',
          fields.province,
          fields.city,
          fields.district ?? '',
          fields.line1 ?? '文三路 1 号',
        ],
      );
    const ids = {
      hangzhou: randomUUID(),
      pinyin: randomUUID(),
      noDistrict: randomUUID(),
      unknown: randomUUID(),
      abroad: randomUUID(),
    };
    await add({ id: ids.hangzhou, province: '浙江', city: '杭州', district: '西湖' });
    await add({ id: ids.pinyin, province: 'Shanghai', city: 'Shanghai', district: 'Pudong' });
    await add({ id: ids.noDistrict, province: '浙江省', city: '杭州市' });
    await add({ id: ids.unknown, province: '火星省', city: '杭州市' });
    await add({ id: ids.abroad, country: 'US', province: 'CA', city: 'San Francisco' });
    // more than one batch of 500
    for (let i = 0; i < 520; i++)
      await add({ province: '广东省', city: '深圳市', district: '南山区' });

    expect(await migrate(UP_TO)).toEqual(['AddressCodes1764000000800']);

    const codes = async (id: string) =>
      (
        await pg.query(
          `SELECT province, city, district, province_code, city_code, district_code
           FROM addresses WHERE id = $1`,
          [id],
        )
      ).rows[0];
    expect(await codes(ids.hangzhou)).toEqual({
      province: '浙江',
      city: '杭州',
      district: '西湖',
      province_code: '330000',
      city_code: '330100',
      district_code: '330106',
    });
    expect(await codes(ids.pinyin)).toMatchObject({
      province: 'Shanghai',
      province_code: '310000',
      city_code: '310100',
      district_code: '310115',
    });
    expect(await codes(ids.noDistrict)).toMatchObject({
      province_code: '330000',
      city_code: '330100',
      district_code: '',
    });
    expect(await codes(ids.unknown)).toMatchObject({ province_code: '', city_code: '' });
    expect(await codes(ids.abroad)).toMatchObject({ province_code: '', city_code: '' });
    const shenzhen = await pg.query(
      `SELECT count(*)::int AS n FROM addresses WHERE district_code = '440305'`,
    );
    expect(shenzhen.rows[0].n).toBe(520);
  });

  it('can be undone and applied again', async () => {
    const ds = createDataSource({ url: db.url, entities: [], migrations: UP_TO });
    await ds.initialize();
    try {
      await ds.undoLastMigration({ transaction: 'each' });
      const columns = await pg.query(
        `SELECT column_name FROM information_schema.columns
         WHERE table_name = 'addresses' AND column_name LIKE '%_code'`,
      );
      expect(columns.rows.map((r) => r.column_name)).toEqual(['postal_code']);
    } finally {
      await ds.destroy();
    }
    expect(await migrate(UP_TO)).toEqual(['AddressCodes1764000000800']);
    const filled = await pg.query(
      `SELECT count(*)::int AS n FROM addresses WHERE province_code <> ''`,
    );
    expect(filled.rows[0].n).toBe(523);
  });
});
