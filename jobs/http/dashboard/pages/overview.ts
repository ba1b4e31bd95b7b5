import type { FastifyInstance } from 'fastify';
import {
  countQueues,
  isHubError,
  listHolds,
  listRecipientStatus,
  listRuns,
  startExport,
  type Actor,
  type QueueCounts,
  type RecipientStatus,
  type ShownRun,
} from '../../../../src/operations/index.js';
import type { HttpDependencies } from '../../schemas.js';
import { dashboardActor } from '../session.js';
import { badge, duration, html, time, type Html } from '../html.js';
import { csrfField, isOperator, paths } from '../layout.js';
import { done, sendPage } from '../render.js';
import { list, reasonField } from './forms.js';

/** A recipient is shown as needing attention after this long without a delivery (the alert rule's). */
const lagAttentionSeconds = 26 * 3600;

/** `/`: recipients' status, the latest runs, holds and queues at a glance, and starting an export. */
export function overviewPage(app: FastifyInstance, { ops }: HttpDependencies): void {
  app.get<{ Querystring: { done?: string } }>('/', async (request, reply) => {
    const actor = dashboardActor(request);
    const status = await listRecipientStatus(ops, actor);
    const runs = await listRuns(ops, actor, { limit: 15 });
    const holds = await listHolds(ops, actor, { all: false });
    const queues = await queueCounts(ops, actor);
    return sendPage(
      request,
      reply,
      'Overview',
      (csrf) =>
        html` <h2>Recipients</h2>
          ${recipientTable(status.recipients)}
          <p class="muted">
            As of ${time(status.at)}.
            ${holds.length === 0 ? 'No hold waits.' : html`<a href="${paths.holds}">${holds.length} held ${holds.length === 1 ? 'delta waits' : 'deltas wait'} for a decision</a>.`}
          </p>
          <h2>Latest runs</h2>
          ${runTable(runs)} ${isOperator(actor) ? exportForm(csrf, status.recipients) : ''}
          <h2>Queues</h2>
          ${queues}`,
    );
  });

  app.post<{ Body: { recipients?: string | string[]; all?: string; feedType?: string; reason: string } }>(
    '/ui/exports',
    {
      preHandler: app.csrfProtection,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['reason'],
          properties: {
            _csrf: { type: 'string' },
            recipients: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            all: { type: 'string', enum: ['on'] },
            feedType: { type: 'string', enum: ['full', 'delta'] },
            reason: { type: 'string', minLength: 1, maxLength: 500 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const report = await startExport(ops, dashboardActor(request), {
        ...(body.all === 'on' ? { all: true } : { recipients: list(body.recipients) }),
        feedType: body.feedType === 'delta' ? 'delta' : 'full',
        reason: body.reason,
        detach: ops.executor.detachable,
      });
      return reply.redirect(done(paths.run(report.runId), 'export'), 303);
    },
  );
}

async function queueCounts(ops: HttpDependencies['ops'], actor: Actor): Promise<Html> {
  let counts: QueueCounts[];
  try {
    counts = await countQueues(ops, actor);
  } catch (error) {
    if (isHubError(error) && error.code === 'PIFU_QUEUE_UNAVAILABLE') {
      return html`<p class="muted">
        No shared queue here (REDIS_URL is not set): runs execute in the process that starts them.
      </p>`;
    }
    throw error;
  }
  return html`<table>
      <tr>
        <th>queue</th>
        <th class="num">waiting</th>
        <th class="num">active</th>
        <th class="num">delayed</th>
        <th class="num">failed (dead letters)</th>
        <th class="num">completed</th>
      </tr>
      ${counts.map(
        (queue) =>
          html`<tr class="${queue.failed > 0 ? 'attention' : ''}">
            <td>${queue.queue}</td>
            <td class="num">${queue.waiting}</td>
            <td class="num">${queue.active}</td>
            <td class="num">${queue.delayed}</td>
            <td class="num">${queue.failed}</td>
            <td class="num">${queue.completed}</td>
          </tr>`,
      )}
    </table>
    ${isOperator(actor) ? html`<p><a href="${paths.queueBoard}">Open the queue board</a></p>` : ''}`;
}

function recipientTable(recipients: readonly RecipientStatus[]): Html {
  return html`<table>
    <tr>
      <th>recipient</th>
      <th>transport</th>
      <th>last success</th>
      <th class="num">lag</th>
      <th class="num">failed</th>
      <th class="num">holds</th>
      <th class="num">offered</th>
    </tr>
    ${recipients.map((row) => {
      const late = row.lagSeconds !== null && row.lagSeconds > lagAttentionSeconds;
      const attention = late || row.failed > 0 || row.holdsWaiting > 0;
      return html`<tr class="${attention ? 'attention' : ''}">
        <td>
          <a href="${paths.recipient(row.recipientId)}">${row.recipientId}</a>
          <span class="muted">${row.name ?? '(not configured)'}</span>
        </td>
        <td>${row.transport ?? '—'}</td>
        <td>${time(row.lastDeliveredAt)}</td>
        <td class="num">${late ? badge('stale') : ''} ${duration(row.lagSeconds)}</td>
        <td class="num">
          ${row.failed === 0 ? '0' : html`<a href="${paths.transfers}?recipient=${row.recipientId}&amp;status=failed">${row.failed}</a>`}
        </td>
        <td class="num">
          ${row.holdsWaiting === 0 ? '0' : html`<a href="${paths.holds}">${row.holdsWaiting}</a>`}
        </td>
        <td class="num">
          ${row.offered}${row.oldestOfferAt === null ? '' : html` <span class="muted">since ${time(row.oldestOfferAt)}</span>`}
        </td>
      </tr>`;
    })}
  </table>`;
}

function runTable(runs: readonly ShownRun[]): Html {
  if (runs.length === 0) return html`<p class="muted">No runs yet.</p>`;
  return html`<table>
    <tr>
      <th>run</th>
      <th>trigger</th>
      <th>status</th>
      <th>started</th>
      <th>finished</th>
      <th class="num">delivered</th>
      <th class="num">failed</th>
      <th class="num">held</th>
      <th class="num">offered</th>
      <th class="num">skipped</th>
      <th class="num">pending</th>
      <th>by</th>
      <th>reason</th>
    </tr>
    ${runs.map(
      (run) =>
        html`<tr class="${run.failed > 0 || run.stuck !== null ? 'attention' : ''}">
          <td><a class="id" href="${paths.run(run.id)}">${run.id}</a></td>
          <td>${run.trigger}</td>
          <td>${badge(run.status)}${run.stuck === null ? '' : html` <span class="muted">stuck</span>`}</td>
          <td>${time(run.createdAt)}</td>
          <td>${time(run.finishedAt)}</td>
          <td class="num">${run.delivered}</td>
          <td class="num">${run.failed}</td>
          <td class="num">${run.held}</td>
          <td class="num">${run.offered}</td>
          <td class="num">${run.skipped}</td>
          <td class="num">${run.pending}</td>
          <td>${run.requestedBy ?? ''}</td>
          <td>${run.reason ?? ''}</td>
        </tr>`,
    )}
  </table>`;
}

function exportForm(csrf: string, recipients: readonly RecipientStatus[]): Html {
  const configured = recipients.filter((row) => row.name !== null);
  return html`<h2>Start an export</h2>
    <form class="panel" method="post" action="/ui/exports">
      ${csrfField(csrf)}
      <label
        >Recipients
        <select name="recipients" multiple size="${Math.min(6, Math.max(2, configured.length))}">
          ${configured.map((row) => html`<option value="${row.recipientId}">${row.recipientId}</option>`)}
        </select></label
      >
      <label class="inline"><input type="checkbox" name="all" value="on" /> all recipients</label>
      <label
        >Feed
        <select name="feedType">
          <option value="full">full</option>
          <option value="delta">delta</option>
        </select></label
      >
      ${reasonField()}
      <button type="submit">Start export</button>
    </form>`;
}
