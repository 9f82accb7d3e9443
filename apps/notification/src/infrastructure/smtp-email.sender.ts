import nodemailer, { type Transporter } from 'nodemailer';
import { SendFailure, type EmailMessage, type EmailSender } from '../application/ports';

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
}

/**
 * E-mail over real SMTP with nodemailer (`SMTP_URL`, smtp[s]://[user:pass@]host:port). The
 * Message-ID is the delivery's (`<delivery-id@emporia>`), the same on every attempt; marketing
 * mail carries RFC 8058 one-click unsubscribe headers. A 5xx answer (recipient refused, message
 * rejected) is permanent; anything else (connection refused, timeouts, 4xx) is worth a retry.
 */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs = 10_000,
  ) {
    const url = new URL(smtpUrl);
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
      secure: url.protocol === 'smtps:',
      ...(url.username
        ? {
            auth: {
              user: decodeURIComponent(url.username),
              pass: decodeURIComponent(url.password),
            },
          }
        : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(m: EmailMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html || undefined,
        messageId: m.messageId,
        ...(m.unsubscribeUrl
          ? {
              headers: {
                'List-Unsubscribe': `<${m.unsubscribeUrl}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              },
            }
          : {}),
      });
    } catch (e) {
      const err = e as SmtpError;
      const permanent =
        typeof err.responseCode === 'number' && err.responseCode >= 500 && err.responseCode < 600;
      throw new SendFailure(
        `SMTP ${err.responseCode ?? err.code ?? 'error'}: ${err.message}`.slice(0, 500),
        permanent,
      );
    }
  }

  close(): void {
    this.transport.close();
  }
}
