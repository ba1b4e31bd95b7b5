import type { FastifyInstance } from 'fastify';
import { decideHold, listHolds, showHold, type HeldChange } from '../../../../src/operations/index.js';
import type { HttpDependencies } from '../../schemas.js';
import { badge, html, time, type Html } from '../html.js';
import { csrfField, isOperator, paths } from '../layout.js';
import { done, sendPage } from '../render.js';
import { dashboardActor } from '../session.js';
import { reasonField, reasonProperty } from './forms.js';

/** Held deltas: the list, the review of one (what it would add, change, delete), and the decision. */
export function holdPages(app: FastifyInstance, { ops }: HttpDependencies): void {
  app.get<{ Querystring: { all?: string; done?: string } }>(paths.holds, async (request, reply) => {
    const all = request.query.all === 'true';
    const holds = await listHolds(ops, dashboardActor(request), { all });
    return sendPage(
      request,
      reply,
      all ? 'Every hold' : 'Holds waiting',
      () =>
        html` <p>
            ${all ? html`<a href="${paths.holds}">Only the undecided</a>` : html`<a href="${paths.holds}?all=true">Every hold, decided too</a>`}
          </p>
          ${
            holds.length === 0
              ? html`<p class="muted">No held delta${all ? '' : ' waits for a decision'}.</p>`
              : html`<table>
                  <tr>
                    <th>held since</th>
                    <th>recipient</th>
                    <th>transfer</th>
                    <th class="num">added</th>
                    <th class="num">changed</th>
                    <th class="num">deleted</th>
                    <th>why held</th>
                    <th>decision</th>
                  </tr>
                  ${holds.map(
                    (hold) =>
                      html`<tr>
                        <td>${time(hold.createdAt)}</td>
                        <td>${hold.recipientId}</td>
                        <td><a class="id" href="${paths.hold(hold.transferId)}">${hold.transferId}</a></td>
                        <td class="num">${hold.added}</td>
                        <td class="num">${hold.changed}</td>
                        <td class="num">${hold.deleted}</td>
                        <td>${hold.reason}</td>
                        <td>
                          ${hold.decision === null ? badge('held') : html`${badge(hold.decision)} ${hold.decidedBy ?? ''}`}
                        </td>
                      </tr>`,
                  )}
                </table>`
          }`,
    );
  });

  app.get<{ Params: { transfer: string }; Querystring: { done?: string } }>(
    '/ui/holds/:transfer',
    async (request, reply) => {
      const actor = dashboardActor(request);
      const detail = await showHold(ops, actor, { transfer: request.params.transfer, limit: 500 });
      const { hold } = detail;
      return sendPage(
        request,
        reply,
        `Hold review: ${hold.recipientId}`,
        (csrf) =>
          html`<dl>
              <dt>transfer</dt>
              <dd class="id">${hold.transferId}</dd>
              <dt>run</dt>
              <dd><a class="id" href="${paths.run(hold.runId)}">${hold.runId}</a></dd>
              <dt>held since</dt>
              <dd>${time(hold.createdAt)}</dd>
              <dt>why held</dt>
              <dd>${hold.reason}</dd>
              <dt>decision</dt>
              <dd>
                ${hold.decision === null ? badge('held') : html`${badge(hold.decision)} by ${hold.decidedBy ?? '—'} at ${time(hold.decidedAt)}: ${hold.decisionReason ?? ''}`}
              </dd>
            </dl>
            <h2>What the held delta would do</h2>
            <table>
              <tr>
                <th>objects</th>
                <th class="num">added</th>
                <th class="num">changed</th>
                <th class="num">deleted</th>
              </tr>
              ${Object.entries(detail.counts).map(
                ([type, counts]) =>
                  html`<tr>
                    <td>${type}</td>
                    <td class="num">${counts.add}</td>
                    <td class="num">${counts.change}</td>
                    <td class="num">${counts.delete}</td>
                  </tr>`,
              )}
            </table>
            ${changeList(detail.objects, detail.truncated, isOperator(actor))}
            ${hold.decision === null && isOperator(actor) ? decisionForm(csrf, hold.transferId) : ''}`,
      );
    },
  );

  app.post<{ Params: { transfer: string }; Body: { decision: 'approve' | 'reject'; reason: string } }>(
    '/ui/holds/:transfer/decision',
    {
      preHandler: app.csrfProtection,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['decision', 'reason'],
          properties: {
            _csrf: { type: 'string' },
            decision: { type: 'string', enum: ['approve', 'reject'] },
            reason: reasonProperty,
          },
        },
      },
    },
    async (request, reply) => {
      const { decision, reason } = request.body;
      await decideHold(ops, dashboardActor(request), {
        transfer: request.params.transfer,
        decision,
        reason,
      });
      return reply.redirect(
        done(paths.hold(request.params.transfer), decision === 'approve' ? 'approved' : 'rejected'),
        303,
      );
    },
  );
}

function changeList(objects: readonly HeldChange[], truncated: boolean, shown: boolean): Html {
  if (!shown)
    return html`<p class="muted">The objects themselves are shown to operators and privacy admins.</p>`;
  if (objects.length === 0) return html``;
  const order = { delete: 0, change: 1, add: 2 } as const;
  const sorted = [...objects].sort((a, b) => order[a.change] - order[b.change]);
  return html`<h2>Objects${truncated ? ` (the first ${objects.length})` : ''}</h2>
    <table>
      <tr>
        <th>change</th>
        <th>type</th>
        <th>key</th>
        <th>name</th>
      </tr>
      ${sorted.map(
        (object) =>
          html`<tr>
            <td>
              ${badge(object.change === 'delete' ? 'failed' : object.change === 'change' ? 'held' : 'ok', object.change)}
            </td>
            <td>${object.type}</td>
            <td class="id">${object.key}</td>
            <td>${object.label ?? ''}</td>
          </tr>`,
      )}
    </table>`;
}

function decisionForm(csrf: string, transferId: string): Html {
  return html`<h2>Decide</h2>
    <form class="panel" method="post" action="/ui/holds/${transferId}/decision">
      ${csrfField(csrf)} ${reasonField('e.g. case 2026/131: school merger, deletions expected')}
      <button type="submit" name="decision" value="approve">Approve and deliver</button>
      <button type="submit" name="decision" value="reject" class="danger">Reject</button>
    </form>`;
}
