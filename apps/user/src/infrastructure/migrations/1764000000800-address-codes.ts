import { checkAddress } from '@emporia/domain';
import type { MigrationInterface, QueryRunner } from 'typeorm';

interface Row {
  id: string;
  recipient: string;
  phone: string;
  country: string;
  province: string;
  city: string;
  district: string;
  line1: string;
  line2: string;
  postal_code: string;
}

const BATCH = 500;

/**
 * GB/T 2260 codes on the address book (issue 24), so routing and analytics can use them. Saved
 * addresses get the codes of the levels whose names resolve (names and other fields are left as
 * the customer saved them; an address that would now be refused is checked again when it is
 * edited or ordered to).
 */
export class AddressCodes1764000000800 implements MigrationInterface {
  name = 'AddressCodes1764000000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE addresses
        ADD COLUMN province_code text NOT NULL DEFAULT '',
        ADD COLUMN city_code text NOT NULL DEFAULT '',
        ADD COLUMN district_code text NOT NULL DEFAULT ''`);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await q.query(
        `SELECT id, recipient, phone, country, province, city, district, line1, line2, postal_code
         FROM addresses WHERE country = 'CN' AND id > $1 ORDER BY id LIMIT ${BATCH}`,
        [after],
      )) as Row[];
      if (rows.length === 0) break;
      for (const r of rows) {
        const { address: a } = checkAddress({ ...r, postalCode: r.postal_code });
        if (a.provinceCode)
          await q.query(
            `UPDATE addresses SET province_code = $2, city_code = $3, district_code = $4 WHERE id = $1`,
            [r.id, a.provinceCode, a.cityCode, a.districtCode],
          );
      }
      after = rows[rows.length - 1].id;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE addresses
        DROP COLUMN province_code, DROP COLUMN city_code, DROP COLUMN district_code`);
  }
}
