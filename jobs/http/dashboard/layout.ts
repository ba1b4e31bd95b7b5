import type { Actor } from '../../../src/operations/index.js';
import { html, type Html } from './html.js';

/** Where the dashboard's pages live: `/` is the overview, the others under `/ui/`. */
export const paths = {
  overview: '/',
  signIn: '/sign-in',
  signOut: '/sign-out',
  style: '/ui/style.css',
  transfers: '/ui/transfers',
  holds: '/ui/holds',
  disclosures: '/ui/disclosures',
  queueBoard: '/queues/',
  run: (id: string) => `/ui/runs/${encodeURIComponent(id)}`,
  hold: (id: string) => `/ui/holds/${encodeURIComponent(id)}`,
  recipient: (id: string) => `/ui/recipients/${encodeURIComponent(id)}`,
} as const;

/** What every page shows around its content. */
export interface PageFrame {
  readonly title: string;
  /** Null on the sign-in page. */
  readonly actor: Actor | null;
  /** The form token of this response, for the sign-out button. */
  readonly csrf: string;
  /** A one-line confirmation after a form (PRG), from a fixed set; never echoed input. */
  readonly notice?: string | undefined;
}

export function page(frame: PageFrame, content: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${frame.title} · pifu-hub</title>
        <link rel="stylesheet" href="${paths.style}" />
      </head>
      <body>
        <header>
          <a class="brand" href="${paths.overview}">pifu-hub</a>
          ${frame.actor === null ? '' : navigation(frame.actor, frame.csrf)}
        </header>
        <main>
          <h1>${frame.title}</h1>
          ${frame.notice === undefined ? '' : html`<p class="notice" role="status">${frame.notice}</p>`}
          ${content}
        </main>
      </body>
    </html> `.text;
}

function navigation(actor: Actor, csrf: string): Html {
  const roles = [...actor.roles].filter((role) => role !== 'viewer');
  return html`<nav>
      <a href="${paths.overview}">Overview</a>
      <a href="${paths.transfers}">Transfers</a>
      <a href="${paths.holds}">Holds</a>
      ${actor.roles.has('privacy-admin') ? html`<a href="${paths.disclosures}">Disclosures</a>` : ''}
      ${isOperator(actor) ? html`<a href="${paths.queueBoard}">Queues</a>` : ''}
    </nav>
    <form class="who" method="post" action="${paths.signOut}">
      <span>${actor.name}${roles.length === 0 ? ' (viewer)' : ` (${roles.join(', ')})`}</span>
      <input type="hidden" name="_csrf" value="${csrf}" />
      <button type="submit">Sign out</button>
    </form>`;
}

/** Operator and above: the roles that may move data (and see the queue board). */
export function isOperator(actor: Actor): boolean {
  return ['operator', 'privacy-admin', 'config-admin'].some((role) => actor.roles.has(role as 'operator'));
}

/** The hidden field every state-changing form carries. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="_csrf" value="${csrf}" />`;
}

/** The dashboard's one style sheet: served from the hub itself (no CDN), small, no scripts anywhere. */
export const styleSheet = `
:root { --ink: #1d2733; --muted: #5b6776; --line: #d8dee6; --bg: #f6f8fa; --accent: #1f5fa8;
  --ok: #1d7a46; --bad: #b3261e; --warn: #946200; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); }
body { margin: 0; background: var(--bg); }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: var(--ink); color: #fff; }
header a { color: #fff; text-decoration: none; }
header .brand { font-weight: 700; letter-spacing: .02em; }
header nav { display: flex; gap: 1rem; flex: 1; }
header .who { display: flex; gap: .6rem; align-items: center; font-size: .9em; margin: 0; }
main { padding: 1rem 1.5rem 3rem; max-width: 90rem; }
h1 { font-size: 1.4rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .92em; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.attention td { background: #fff6e5; }
a { color: var(--accent); }
code, .id { font-family: ui-monospace, monospace; font-size: .88em; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .85em; background: #e3e8ee; }
.badge.delivered, .badge.completed, .badge.approved, .badge.ok { background: #d9f2e3; color: var(--ok); }
.badge.failed, .badge.rejected, .badge.stale { background: #fbe0de; color: var(--bad); }
.badge.held, .badge.offered, .badge.running, .badge.pending { background: #fdf0cf; color: var(--warn); }
form.panel { background: #fff; border: 1px solid var(--line); padding: .8rem 1rem; margin: .6rem 0; display: flex;
  flex-wrap: wrap; gap: .8rem; align-items: end; }
form.panel label { display: flex; flex-direction: column; font-size: .88em; color: var(--muted); gap: .2rem; }
form.panel label.inline { flex-direction: row; align-items: center; gap: .3rem; }
input, select, button { font: inherit; padding: .3rem .45rem; border: 1px solid #b9c3cf; border-radius: 3px; }
input[name=reason] { min-width: 22rem; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); }
header button { background: transparent; border-color: #8896a8; }
.notice { background: #d9f2e3; border: 1px solid #a8dcbc; padding: .5rem .8rem; }
.error { background: #fbe0de; border: 1px solid #f0aaa4; padding: .6rem .9rem; }
.muted { color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; padding: .8rem 1rem;
  border: 1px solid var(--line); }
dt { color: var(--muted); }
dd { margin: 0; }
`;
