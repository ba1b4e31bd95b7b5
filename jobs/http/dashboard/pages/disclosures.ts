import type { FastifyInstance } from 'fastify';
import { HubError, listDisclosures, type Actor } from '../../../../src/operations/index.js';
import type { HttpDependencies } from '../../schemas.js';
import { html, time, type Html } from '../html.js';
import { csrfField, paths } from '../layout.js';
import { sendPage } from '../render.js';
import { dashboardActor } from '../session.js';

/**
 * A person's disclosure history (privacy-admin): who received the person's data, when, which categories,
 * on what basis. The person key is posted, never put in a URL (history, proxies, logs), and the answer
 * is the operation's, audited as the API's and the CLI's are.
 */
export function disclosurePages(app: FastifyInstance, { ops }: HttpDependencies): void {
  app.get(paths.disclosures, async (request, reply) => {
    requirePrivacyAdmin(dashboardActor(request));
    return sendPage(request, reply, 'Disclosures', (csrf) => lookupForm(csrf));
  });

  app.post<{ Body: { person: string } }>(
    paths.disclosures,
    {
      preHandler: app.csrfProtection,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['person'],
          properties: { _csrf: { type: 'string' }, person: { type: 'string', minLength: 1, maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const answer = await listDisclosures(ops, dashboardActor(request), { person: request.body.person });
      return sendPage(
        request,
        reply,
        'Disclosures',
        (csrf) =>
          html`${lookupForm(csrf)}
            <h2>Person <span class="id">${answer.personKey}</span></h2>
            ${
              answer.disclosures.length === 0
                ? html`<p class="muted">
                    No recipient has received this person's data (or the rows were reduced to counts by
                    retention).
                  </p>`
                : html`<table>
                    <tr>
                      <th>disclosed</th>
                      <th>recipient</th>
                      <th>categories</th>
                      <th>legal basis</th>
                      <th>purpose</th>
                      <th>trigger</th>
                      <th>transfer</th>
                    </tr>
                    ${answer.disclosures.map(
                      (row) =>
                        html`<tr>
                          <td>${time(row.disclosedAt)}</td>
                          <td>${row.recipientId}</td>
                          <td>${row.categories.join(', ')}</td>
                          <td>${row.legalBasis ?? '—'}</td>
                          <td>${row.purpose ?? '—'}</td>
                          <td>${row.trigger}${row.reason === null ? '' : `: ${row.reason}`}</td>
                          <td class="id">${row.transferId}</td>
                        </tr>`,
                    )}
                  </table>`
            }`,
      );
    },
  );
}

/**
 * The lookup form is only for privacy admins; the operation itself refuses (and audits) anyone else,
 * so a viewer who posts anyway gets the same 403 and leaves the same trace.
 */
function requirePrivacyAdmin(actor: Actor): void {
  if (!actor.roles.has('privacy-admin')) {
    throw new HubError(
      'PIFU_FORBIDDEN',
      `${actor.name} lacks the privacy-admin role that disclosures needs; ${actor.roleHint}`,
    );
  }
}

function lookupForm(csrf: string): Html {
  return html`<form class="panel" method="post" action="${paths.disclosures}">
    ${csrfField(csrf)}
    <label
      >Person key
      <input
        type="text"
        name="person"
        required
        maxlength="64"
        autocomplete="off"
        placeholder="a hub person key (uuid)"
    /></label>
    <button type="submit">Show disclosures</button>
  </form>`;
}
