import type { Transporter } from 'nodemailer';
import { describeEvent, digestSubject, type NotificationDigest } from '../../src/notify/index.js';
import type { NotificationChannel } from '../../src/ports/index.js';

/**
 * Notifications as one plain-text e-mail per digest over SMTP (nodemailer): a subject that counts the
 * events, one line per event with the command that deals with it. The server's greeting, TLS and
 * authentication are nodemailer's, from the URL (`smtps://` for TLS from the start, `smtp://` upgrades
 * with STARTTLS when the server offers it). Errors never carry the URL: it holds the password.
 */
export function emailChannel(settings: {
  smtpUrl: string;
  from: string;
  to: readonly string[];
}): NotificationChannel {
  const url = new URL(settings.smtpUrl);
  url.searchParams.set('connectionTimeout', '10000');
  url.searchParams.set('greetingTimeout', '10000');
  url.searchParams.set('socketTimeout', '20000');
  // nodemailer loads with the first digest to send, not with every process that could send one.
  let transport: Transporter | undefined;
  const server = url.host;
  return {
    name: 'email',
    async send(digest: NotificationDigest): Promise<void> {
      const text = [
        `pifu-hub ${digest.hub} at ${digest.sentAt}:`,
        '',
        ...digest.events.map((event) => `- ${describeEvent(event)}`),
        '',
        `Digest ${digest.id}. Ids and counts only: look people up in the hub, never in this mail.`,
      ].join('\n');
      try {
        if (transport === undefined) {
          const { createTransport } = await import('nodemailer');
          transport = createTransport(url.toString());
        }
        await transport.sendMail({
          from: settings.from,
          to: [...settings.to],
          subject: digestSubject(digest),
          text,
          headers: { 'X-Pifu-Hub-Digest': digest.id },
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new Error(
          `smtp ${server}: ${typeof code === 'string' ? code : 'failed'}: ${(error as Error).message}`.slice(
            0,
            300,
          ),
          { cause: error },
        );
      }
    },
  };
}
