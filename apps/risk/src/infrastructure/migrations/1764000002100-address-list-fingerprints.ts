import type { MigrationInterface, QueryRunner } from 'typeorm';
import { normaliseListValue } from '../../domain/rules';

interface Row {
  value: string;
  reason: string;
  added_at: Date;
}

/**
 * Issue 24: order's address fingerprint is normalised further (places as the national
 * divisions spell them, simplified characters, no punctuation), so listed addresses are
 * normalised the same way (`normaliseListValue`) to keep matching. Two entries that become one
 * keep the earlier one's reason and time. Not undone: the old values are not kept.
 */
export class AddressListFingerprints1764000002100 implements MigrationInterface {
  name = 'AddressListFingerprints1764000002100';

  async up(q: QueryRunner): Promise<void> {
    const rows = (await q.query(
      `SELECT value, reason, added_at FROM list_entries WHERE kind = 'ADDRESS' ORDER BY added_at, value`,
    )) as Row[];
    for (const r of rows) {
      let value: string;
      try {
        value = normaliseListValue('ADDRESS', r.value);
      } catch {
        continue; // an entry that is no value at all stays as it was
      }
      if (value === r.value) continue;
      await q.query(`DELETE FROM list_entries WHERE kind = 'ADDRESS' AND value = $1`, [r.value]);
      await q.query(
        `INSERT INTO list_entries (kind, value, reason, added_at) VALUES ('ADDRESS', $1, $2, $3)
         ON CONFLICT (kind, value) DO UPDATE
           SET reason = EXCLUDED.reason, added_at = EXCLUDED.added_at
           WHERE list_entries.added_at > EXCLUDED.added_at`,
        [value, r.reason, r.added_at],
      );
    }
  }

  async down(): Promise<void> {
    // the values before were a coarser normalisation of the same places: nothing to restore
  }
}
