import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Guest tokens are issued by the service: a row per issued token, keyed by the token's SHA-256
 * (carts.guest_token holds the same hash), with its last use for expiry. Carts of the
 * client-chosen tokens of earlier releases can no longer be opened; the sweep deletes them
 * once they are as old as GUEST_CART_TTL_SECONDS. Additive: the previous release keeps working.
 */
export class GuestTokens1764000001400 implements MigrationInterface {
  name = 'GuestTokens1764000001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE guest_tokens (
        token_hash   text PRIMARY KEY,
        issued_at    timestamptz NOT NULL,
        last_used_at timestamptz NOT NULL,
        carted       boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX guest_tokens_last_used_idx ON guest_tokens (last_used_at)`);
    await q.query(
      `CREATE INDEX guest_tokens_uncarted_idx ON guest_tokens (last_used_at) WHERE NOT carted`,
    );
    await q.query(
      `CREATE INDEX carts_guest_updated_idx ON carts (updated_at) WHERE guest_token IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX carts_guest_updated_idx`);
    await q.query(`DROP TABLE guest_tokens`);
  }
}
