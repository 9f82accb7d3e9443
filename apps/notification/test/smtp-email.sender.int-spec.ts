import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { eventually, freePort } from '@emporia/testing';
import { SendFailure } from '../src/application/ports';
import { SmtpEmailSender } from '../src/infrastructure/smtp-email.sender';

const sinkEnv = (name: 'SMTP_SINK_URL' | 'MAIL_SINK_API_URL') => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with deploy/local/env.sh (the mail sink)`);
  return v;
};

/** A minimal SMTP server that refuses every recipient with 550 (a mailbox that does not exist). */
function refusingSmtp(): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => {
    s.write('220 refuser ESMTP\r\n');
    s.on('data', (buf) => {
      for (const line of buf.toString().split('\r\n').filter(Boolean)) {
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') s.write('250 refuser\r\n');
        else if (cmd === 'MAIL') s.write('250 OK\r\n');
        else if (cmd === 'RCPT') s.write('550 5.1.1 mailbox unavailable\r\n');
        else if (cmd === 'QUIT') s.end('221 bye\r\n');
        else s.write('250 OK\r\n');
      }
    });
    s.on('error', () => s.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as { port: number }).port, server }),
    ),
  );
}

const message = (to: string, unsubscribeUrl: string | null = null) => ({
  messageId: `<${randomUUID()}@emporia>`,
  to,
  subject: 'Subject 主题',
  text: 'plain',
  html: '<p>html</p>',
  unsubscribeUrl,
});

describe('SmtpEmailSender (nodemailer over real SMTP)', () => {
  it('delivers to the sink with our Message-ID and the RFC 8058 headers on marketing mail', async () => {
    const sender = new SmtpEmailSender(
      sinkEnv('SMTP_SINK_URL'),
      'Emporia <no-reply@emporia.local>',
    );
    const to = `smtp-${randomUUID().slice(0, 8)}@emporia.test`;
    const m = message(to, 'http://shop.test/v1/notifications/unsubscribe?token=abc');
    await sender.send(m);
    sender.close();
    const api = sinkEnv('MAIL_SINK_API_URL');
    const found = await eventually(async () => {
      const res = await fetch(`${api}/api/v1/search?query=${encodeURIComponent(`to:"${to}"`)}`);
      const body = (await res.json()) as { messages: { ID: string; MessageID: string }[] };
      return body.messages[0];
    });
    expect(`<${found.MessageID}>`).toBe(m.messageId);
    const headers = (await (
      await fetch(`${api}/api/v1/message/${found.ID}/headers`)
    ).json()) as Record<string, string[]>;
    expect(headers['List-Unsubscribe']).toEqual([
      '<http://shop.test/v1/notifications/unsubscribe?token=abc>',
    ]);
    expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
  });

  it('a 5xx refusal is permanent; a closed port is worth a retry', async () => {
    const refuser = await refusingSmtp();
    try {
      const sender = new SmtpEmailSender(
        `smtp://127.0.0.1:${refuser.port}`,
        'no-reply@emporia.local',
        3000,
      );
      const refused = await sender.send(message('nobody@emporia.test')).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SendFailure);
      expect(refused).toMatchObject({ permanent: true });
      expect((refused as Error).message).toMatch(/550/);
      sender.close();
    } finally {
      refuser.server.close();
    }
    const closed = new SmtpEmailSender(
      `smtp://127.0.0.1:${await freePort()}`,
      'no-reply@emporia.local',
      3000,
    );
    const down = await closed.send(message('x@emporia.test')).catch((e: unknown) => e);
    expect(down).toMatchObject({ permanent: false });
    expect((down as Error).message).toMatch(/ECONNREFUSED/);
    closed.close();
  });
});
