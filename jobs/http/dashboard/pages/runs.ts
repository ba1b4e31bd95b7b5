import type { FastifyInstance } from 'fastify';
import {
  listTransfers,
  retryTransfer,
  showRun,
  transferStatuses,
  type TransferListing,
  type TransferStatus,
} from '../../../../src/operations/index.js';
import type { HttpDependencies } from '../../schemas.js';
import { badge, bytes, html, query, time, type Html } from '../html.js';
import { csrfField, isOperator, paths } from '../layout.js';
import { done, sendPage } from '../render.js';
import { dashboardActor } from '../session.js';

interface TransferFilter {
  recipient?: string;
  status?: string;
  since?: string;
  limit?: number;
  done?: string;
}

/** A run and its feeds; the transfer log with its filters; retrying a failed transfer (operator). */
export function runPages(app: FastifyInstance, { ops }: HttpDependencies): void {
  app.get<{ Params: { run: string }; Querystring: { done?: string } }>(
    '/ui/runs/:run',
    async (request, reply) => {
      const run = await showRun(ops, dashboardActor(request), { run: request.params.run });
      return sendPage(
        request,
        reply,
        `Run ${run.id}`,
        () =>
          html`<dl>
              <dt>status</dt>
              <dd>${badge(run.status)}${run.stuck === null ? '' : html` stuck: ${run.stuck}`}</dd>
              <dt>trigger</dt>
              <dd>${run.trigger}</dd>
              <dt>requested by</dt>
              <dd>${run.requestedBy ?? '—'}</dd>
              <dt>reason</dt>
              <dd>${run.reason ?? '—'}</dd>
              <dt>started</dt>
              <dd>${time(run.createdAt)}</dd>
              <dt>snapshot</dt>
              <dd>
                ${time(run.snapshotAt)}${run.persons === null ? '' : ` · ${run.persons} persons, ${run.groups} groups, ${run.memberships} memberships`}
              </dd>
              <dt>source check</dt>
              <dd>${run.sourceCheck ?? '—'}${run.sourceDrop === null ? '' : ` (${run.sourceDrop})`}</dd>
              <dt>finished</dt>
              <dd>${time(run.finishedAt)}</dd>
            </dl>
            <h2>Feeds</h2>
            <table>
              <tr>
                <th>recipient</th>
                <th>feed</th>
                <th>status</th>
                <th class="num">added</th>
                <th class="num">changed</th>
                <th class="num">deleted</th>
                <th class="num">persons</th>
                <th class="num">size</th>
                <th>delivered</th>
                <th>transfer</th>
                <th>error</th>
              </tr>
              ${run.transfers.map(
                (t) =>
                  html`<tr class="${t.status === 'failed' ? 'attention' : ''}">
                    <td><a href="${paths.recipient(t.recipientId)}">${t.recipientId}</a></td>
                    <td>${t.feedType} <span class="muted">${t.feedStatus}</span></td>
                    <td>
                      ${badge(t.status)}${t.status === 'held' ? html` <a href="${paths.hold(t.transferId)}">review</a>` : ''}
                    </td>
                    <td class="num">${t.added ?? '—'}</td>
                    <td class="num">${t.changed ?? '—'}</td>
                    <td class="num">${t.deleted ?? '—'}</td>
                    <td class="num">${t.persons ?? '—'}</td>
                    <td class="num">${bytes(t.sizeBytes)}</td>
                    <td>${time(t.deliveredAt)}</td>
                    <td class="id">${t.transferId}</td>
                    <td>${t.error ?? ''}</td>
                  </tr>`,
              )}
            </table>`,
      );
    },
  );

  app.get<{ Querystring: TransferFilter }>(
    paths.transfers,
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            recipient: { type: 'string', maxLength: 64 },
            status: { type: 'string', enum: ['', ...transferStatuses] },
            since: { type: 'string', maxLength: 40 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            done: { type: 'string', maxLength: 20 },
          },
        },
      },
    },
    async (request, reply) => {
      const actor = dashboardActor(request);
      const { recipient, status, since, limit } = request.query;
      const transfers = await listTransfers(ops, actor, {
        limit: limit ?? 100,
        ...(recipient === undefined || recipient === '' ? {} : { recipient }),
        ...(status === undefined || status === '' ? {} : { status: status as TransferStatus }),
        ...(since === undefined || since === '' ? {} : { since: sinceInstant(since) }),
      });
      return sendPage(
        request,
        reply,
        'Transfers',
        (csrf) =>
          html` ${filterForm(request.query, [...ops.recipients.keys()])}
          ${transferTable(transfers, isOperator(actor) ? csrf : undefined, request.query)}`,
      );
    },
  );

  app.post<{ Params: { transfer: string }; Body: { back?: string } }>(
    '/ui/transfers/:transfer/retry',
    { preHandler: app.csrfProtection },
    async (request, reply) => {
      await retryTransfer(ops, dashboardActor(request), { transfer: request.params.transfer });
      const back = request.body?.back;
      const target =
        typeof back === 'string' && back.startsWith('?') ? `${paths.transfers}${back}` : paths.transfers;
      return reply.redirect(done(target, 'retried'), 303);
    },
  );
}

/** A browser's `datetime-local` has no zone: the dashboard speaks UTC, as it shows every time. */
function sinceInstant(value: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)
    ? `${value.length === 16 ? `${value}:00` : value}Z`
    : value;
}

function filterForm(filter: TransferFilter, recipients: readonly string[]): Html {
  return html`<form class="panel" method="get" action="${paths.transfers}">
    <label
      >Recipient
      <select name="recipient">
        <option value="">any</option>
        ${recipients.map((id) => html`<option value="${id}" ${filter.recipient === id ? html`selected` : ''}>${id}</option>`)}
      </select></label
    >
    <label
      >Status
      <select name="status">
        <option value="">any</option>
        ${transferStatuses.map((status) => html`<option value="${status}" ${filter.status === status ? html`selected` : ''}>${status}</option>`)}
      </select></label
    >
    <label>Since (UTC) <input type="datetime-local" name="since" value="${filter.since ?? ''}" /></label>
    <label
      >At most <input type="number" name="limit" min="1" max="1000" value="${filter.limit ?? 100}"
    /></label>
    <button type="submit">Filter</button>
  </form>`;
}

function transferTable(
  transfers: readonly TransferListing[],
  csrf: string | undefined,
  filter: TransferFilter,
): Html {
  if (transfers.length === 0) return html`<p class="muted">No transfer matches.</p>`;
  const back = query({ recipient: filter.recipient, status: filter.status, since: filter.since });
  return html`<table>
    <tr>
      <th>recorded</th>
      <th>transfer</th>
      <th>recipient</th>
      <th>feed</th>
      <th>status</th>
      <th class="num">attempts</th>
      <th class="num">persons</th>
      <th class="num">size</th>
      <th>delivered</th>
      <th>error</th>
      <th></th>
    </tr>
    ${transfers.map(
      (t) =>
        html`<tr class="${t.status === 'failed' ? 'attention' : ''}">
          <td>${time(t.createdAt)}</td>
          <td><a class="id" href="${paths.run(t.runId)}">${t.id}</a></td>
          <td><a href="${paths.recipient(t.recipientId)}">${t.recipientId}</a></td>
          <td>${t.feedType}</td>
          <td>
            ${badge(t.status)}${t.status === 'held' ? html` <a href="${paths.hold(t.id)}">review</a>` : ''}
          </td>
          <td class="num">${t.attempts}</td>
          <td class="num">${t.persons ?? '—'}</td>
          <td class="num">${bytes(t.sizeBytes)}</td>
          <td>${time(t.deliveredAt)}</td>
          <td>${t.error ?? ''}</td>
          <td>
            ${csrf !== undefined && t.status === 'failed' ? html`<form method="post" action="/ui/transfers/${t.id}/retry">${csrfField(csrf)}<input type="hidden" name="back" value="${back}" /><button type="submit">Retry</button></form>` : ''}
          </td>
        </tr>`,
    )}
  </table>`;
}
