import type { FastifyInstance } from 'fastify';
import { listRecipientStatus, resyncRecipient, viewRecipient } from '../../../../src/operations/index.js';
import type { HttpDependencies } from '../../schemas.js';
import { duration, html, time, type Html } from '../html.js';
import { csrfField, isOperator, paths } from '../layout.js';
import { done, sendPage } from '../render.js';
import { dashboardActor } from '../session.js';
import { reasonField, reasonProperty } from './forms.js';

interface ResyncForm {
  reason: string;
  school?: string;
  person?: string;
}

/** One recipient: what it receives and why, where it stands, and a resync (operator). */
export function recipientPages(app: FastifyInstance, { ops }: HttpDependencies): void {
  app.get<{ Params: { recipient: string }; Querystring: { done?: string } }>(
    '/ui/recipients/:recipient',
    async (request, reply) => {
      const actor = dashboardActor(request);
      const recipient = await viewRecipient(ops, actor, { recipient: request.params.recipient });
      const status = (await listRecipientStatus(ops, actor)).recipients.find(
        (row) => row.recipientId === recipient.id,
      );
      return sendPage(
        request,
        reply,
        `${recipient.id}: ${recipient.name}`,
        (csrf) =>
          html`<dl>
              <dt>kind</dt>
              <dd>${recipient.kind}</dd>
              <dt>purpose</dt>
              <dd>${recipient.purpose}</dd>
              <dt>legal basis</dt>
              <dd>${recipient.legalBasis}</dd>
              <dt>processing</dt>
              <dd>${recipient.processing.country} · DPA ${recipient.processing.dpaReference}</dd>
              <dt>transport</dt>
              <dd>${recipient.transport.kind}</dd>
              <dt>schedule</dt>
              <dd>full ${recipient.schedule.full ?? '—'} · delta ${recipient.schedule.delta ?? '—'}</dd>
              <dt>receives</dt>
              <dd>
                ${recipient.receives.map((population) => html`<div><strong>${population.population}</strong>: ${population.fields.join(', ')}${population.idTypes.length === 0 ? '' : ` · ids ${population.idTypes.join(', ')}`}</div>`)}
              </dd>
              ${
                recipient.override === null
                  ? ''
                  : html`<dt>override</dt>
                      <dd>${recipient.override.reason} (${recipient.override.widenings.join(', ')})</dd>`
              }
              <dt>last success</dt>
              <dd>${time(status?.lastDeliveredAt)} (${duration(status?.lagSeconds)} ago)</dd>
              <dt>failed transfers</dt>
              <dd>
                ${status?.failed ?? 0} ·
                <a href="${paths.transfers}?recipient=${recipient.id}">transfer log</a>
              </dd>
              <dt>holds waiting</dt>
              <dd>${status?.holdsWaiting ?? 0}</dd>
              <dt>offered, unacknowledged</dt>
              <dd>${status?.offered ?? 0}</dd>
            </dl>
            ${isOperator(actor) ? resyncForm(csrf, recipient.id) : ''}`,
      );
    },
  );

  app.post<{ Params: { recipient: string }; Body: ResyncForm }>(
    '/ui/recipients/:recipient/resync',
    {
      preHandler: app.csrfProtection,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['reason'],
          properties: {
            _csrf: { type: 'string' },
            reason: reasonProperty,
            school: { type: 'string', maxLength: 64 },
            person: { type: 'string', maxLength: 64 },
          },
        },
      },
    },
    async (request, reply) => {
      const { reason, school, person } = request.body;
      const report = await resyncRecipient(ops, dashboardActor(request), {
        recipient: request.params.recipient,
        reason,
        ...(school === undefined || school === '' ? {} : { school }),
        ...(person === undefined || person === '' ? {} : { person }),
        detach: ops.executor.detachable,
      });
      return reply.redirect(done(paths.run(report.runId), 'resync'), 303);
    },
  );
}

function resyncForm(csrf: string, recipientId: string): Html {
  return html`<h2>Resync</h2>
    <p class="muted">Sends again, as new, what the recipient holds: everything, one school, or one person.</p>
    <form class="panel" method="post" action="/ui/recipients/${recipientId}/resync">
      ${csrfField(csrf)}
      <label
        >School (optional) <input type="text" name="school" maxlength="64" placeholder="organisation number"
      /></label>
      <label
        >Person key (optional) <input type="text" name="person" maxlength="64" autocomplete="off"
      /></label>
      ${reasonField()}
      <button type="submit">Start resync</button>
    </form>`;
}
