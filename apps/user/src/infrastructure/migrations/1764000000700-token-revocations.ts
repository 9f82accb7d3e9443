import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access-token revocations waiting to reach the gateway's list in Redis: written in the
 * transaction of the change (freeze, erasure, fewer roles, a session ended), deleted once pushed
 * or once every token they could refuse has expired.
 */
export class TokenRevocations1764000000700 implements MigrationInterface {
  name = 'TokenRevocations1764000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE token_revocations (
        id             bigserial PRIMARY KEY,
        account_id     uuid NOT NULL,
        session_id     uuid,
        revoked_before timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE token_revocations`);
  }
}
