import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_TEMPLATES } from './default-templates';

/** Preferences, push devices, templates (seeded) and the delivery log. */
export class NotificationSchema1767000001000 implements MigrationInterface {
  name = 'NotificationSchema1767000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE preferences (
        account_id        uuid PRIMARY KEY,
        channels          jsonb NOT NULL,
        quiet_hours_start text NOT NULL,
        quiet_hours_end   text NOT NULL,
        time_zone         text NOT NULL,
        locale            text NOT NULL CHECK (locale IN ('', 'zh-CN', 'en')),
        updated_at        timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE push_devices (
        token         text PRIMARY KEY,
        account_id    uuid NOT NULL,
        platform      text NOT NULL CHECK (platform IN ('IOS', 'ANDROID', 'HARMONY')),
        registered_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX push_devices_account_idx ON push_devices (account_id)`);
    await q.query(`
      CREATE TABLE templates (
        key        text NOT NULL,
        channel    text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH')),
        locale     text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
        subject    text NOT NULL,
        body       text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL DEFAULT 'migration',
        PRIMARY KEY (key, channel, locale)
      )`);
    for (const [key, channel, locale, subject, body] of DEFAULT_TEMPLATES) {
      await q.query(
        `INSERT INTO templates (key, channel, locale, subject, body) VALUES ($1, $2, $3, $4, $5)`,
        [key, channel, locale, subject, body],
      );
    }
    await q.query(`
      CREATE TABLE deliveries (
        id                  uuid PRIMARY KEY,
        event_id            uuid NOT NULL,
        event_type          text NOT NULL,
        account_id          uuid,
        channel             text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH')),
        category            text NOT NULL
                            CHECK (category IN ('ORDER', 'SERVICE', 'MARKETING', 'OPERATIONS')),
        recipient           text NOT NULL,
        template_key        text NOT NULL,
        locale              text NOT NULL,
        subject             text NOT NULL,
        body                text NOT NULL,
        html                text,
        unsubscribe_url     text,
        status              text NOT NULL CHECK (status IN
                              ('PENDING', 'HELD', 'SENT', 'DELIVERED', 'UNDELIVERED', 'DEAD', 'SKIPPED')),
        attempts            integer NOT NULL DEFAULT 0,
        last_error          text NOT NULL DEFAULT '',
        next_attempt_at     timestamptz,
        provider            text,
        provider_message_id text,
        created_at          timestamptz NOT NULL,
        sent_at             timestamptz,
        delivered_at        timestamptz,
        reason              text NOT NULL DEFAULT '',
        CONSTRAINT deliveries_event_channel_recipient_key UNIQUE (event_id, channel, recipient)
      )`);
    await q.query(
      `CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at)
       WHERE status IN ('PENDING', 'HELD')`,
    );
    await q.query(`CREATE INDEX deliveries_account_idx ON deliveries (account_id, id DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX deliveries_provider_message_idx ON deliveries (provider, provider_message_id)
       WHERE provider_message_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP TABLE templates`);
    await q.query(`DROP TABLE push_devices`);
    await q.query(`DROP TABLE preferences`);
  }
}
