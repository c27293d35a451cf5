// outbox-view.js — what is still waiting to be sent (sync.js, outbox.js), for
// the contractor's pages: each queued report with the state of each photo,
// upload progress while it is sent, and what the server refused.

import { h, fmt, announce, STATUS_LABEL } from './ui.js';
import * as sync from './sync.js';
import * as outbox from './outbox.js';
import { pfmt, docIcon } from './photos.js';

// Every text a person may read from this module (to be translated with the rest).
export const T = {
  heading: 'Waiting to be sent',
  count: (n) => (n === 1 ? '1 report is waiting to be sent.' : `${n} reports are waiting to be sent.`),
  offline: 'You are offline. They are kept on this device and sent when the connection is back.',
  online: 'They are sent automatically; nothing is lost if you close this page.',
  memoryOnly: 'This browser cannot keep them across a reload: keep this page open until they are sent.',
  sendNow: 'Send now',
  sending: 'Sending…',
  discard: 'Discard',
  discardLabel: (code) => `Discard the report on ${code}`,
  confirmDiscard: (code) => `Discard the report on ${code} and its photos? It has not reached the server.`,
  dismiss: 'OK',
  dismissLabel: (code) => `Dismiss the messages about ${code}`,
  report: (e) => `${e.segment_code} · ${fmt.date(e.body.report_date)} · ${fmt.m(e.body.built_length_m)} · ${STATUS_LABEL[e.body.status] || e.body.status}`,
  entryState: {
    queued: 'Report waiting',
    uploading: (id) => `Report #${id} sent; photos waiting`,
    refused: 'Refused by the server',
    done: (id) => `Report #${id} sent`,
  },
  photoState: {
    waiting: 'waiting',
    sending: (pct) => `sending ${pct}`,
  },
  photosHeading: 'Photos',
  sentToast: (e, n) => `Queued report on ${e.segment_code} sent${e.report_id ? ` (report #${e.report_id})` : ''}` +
    (n ? ` with ${n === 1 ? '1 photo' : `${n} photos`}.` : '.'),
};

const pct = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

/** The state of one queued photo, for people. */
export function photoStateText(p) {
  const l = sync.live.get(p.pid);
  if (l) return T.photoState.sending(pct.format(l.total ? l.loaded / l.total : 0));
  return p.error ? `${T.photoState.waiting}: ${p.error.text}` : T.photoState.waiting;
}

/**
 * The outbox of the signed-in user as a section that keeps itself current
 * (hidden while empty). Stops listening when `signal` aborts.
 */
export function outboxPanel({ signal, id = 'outbox' } = {}) {
  const count = h('p.outbox-count');
  const note = h('p.small.outbox-note');
  const list = h('ul.outbox-list');
  const sendNow = h('button.btn', { type: 'button' }, T.sendNow);
  const el = h(`section.card.outbox#${id}`, { 'aria-labelledby': `${id}-h`, hidden: true },
    h('h2', { id: `${id}-h` }, T.heading),
    h('div', { 'aria-live': 'polite' }, count), note, list, h('p.actions', sendNow));
  const bars = new Map(); // pid → {bar, text}

  sendNow.addEventListener('click', async () => {
    sendNow.disabled = true;
    sendNow.textContent = T.sending;
    try { await sync.flush(); } finally {
      sendNow.disabled = false;
      sendNow.textContent = T.sendNow;
    }
  });

  let scheduled = false;
  const refresh = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(async () => {
      scheduled = false;
      await render();
    });
  };

  let seq = 0;
  async function render() {
    const my = ++seq;
    let entries;
    try { entries = await sync.pending(); } catch { return; }
    const persistent = await outbox.persistent();
    if (my !== seq) return; // a newer render is on its way
    bars.clear();
    const waiting = entries.filter((e) => e.state === 'queued' || e.state === 'uploading');
    el.hidden = entries.length === 0;
    el.dataset.count = String(waiting.length);
    count.textContent = T.count(waiting.length);
    count.hidden = waiting.length === 0;
    note.textContent = !persistent ? T.memoryOnly : navigator.onLine ? T.online : T.offline;
    note.hidden = waiting.length === 0;
    sendNow.hidden = waiting.length === 0;
    list.replaceChildren(...entries.map(entryItem));
  }

  function entryItem(e) {
    const st = T.entryState[e.state];
    const stateText = typeof st === 'function' ? st(e.report_id) : st;
    const photos = e.photos.map((p) => {
      const l = sync.live.get(p.pid);
      const bar = h('progress', { max: '100', value: l && l.total ? String(Math.round((100 * l.loaded) / l.total)) : '0', hidden: !l, 'aria-label': p.name });
      const text = h('span.photo-state', photoStateText(p));
      bars.set(p.pid, { bar, text, p });
      return h('li.outbox-photo', { dataset: { photo: p.pid, state: l ? 'sending' : 'waiting' } },
        p.preview ? h('img.mini', { src: p.preview, alt: '', width: '48', height: '48' }) : docIcon(p.type, p.name),
        h('span.outbox-photo-text', h('span.block', p.name, h('span.small', ` · ${pfmt.bytes(p.size)}`)),
          p.caption ? h('span.small.block', `“${p.caption}”`) : null,
          text, bar));
    });
    const actions = [];
    if (e.state === 'refused' || e.state === 'queued') {
      actions.push(h('button.btn.btn-danger', {
        type: 'button',
        'aria-label': T.discardLabel(e.segment_code),
        onclick: async () => {
          if (e.state === 'queued' && !window.confirm(T.confirmDiscard(e.segment_code))) return;
          await sync.discard(e.id);
        },
      }, T.discard));
    }
    if (e.state === 'done') {
      actions.push(h('button.btn', { type: 'button', 'aria-label': T.dismissLabel(e.segment_code), onclick: () => sync.discard(e.id) }, T.dismiss));
    }
    return h(`li.outbox-entry.outbox-${e.state}`, { dataset: { entry: e.id, state: e.state, segment: e.segment_code } },
      h('strong', T.report(e)),
      h('span.block.small', stateText, e.error && e.state !== 'refused' ? ` · ${e.error.text}` : ''),
      e.state === 'refused' && e.error ? h('p.msg.msg-error', { role: 'alert' }, e.error.text) : null,
      (e.notices || []).map((n) => h('p.msg.msg-warn', { role: 'alert' }, n)),
      photos.length ? h('ul.outbox-photos', { 'aria-label': T.photosHeading }, photos) : null,
      actions.length ? h('p.actions', actions) : null);
  }

  const onProgress = (ev) => {
    const b = bars.get(ev.detail.pid);
    if (!b) { refresh(); return; }
    const { loaded, total } = ev.detail;
    b.bar.hidden = false;
    b.bar.value = total ? Math.round((100 * loaded) / total) : 0;
    b.text.textContent = photoStateText(b.p);
  };
  const onSent = (ev) => {
    if (!ev.detail.background) return;
    announce(T.sentToast(ev.detail.outcome.entry, ev.detail.outcome.attachments.length));
  };
  sync.events.addEventListener('change', refresh);
  sync.events.addEventListener('progress', onProgress);
  sync.events.addEventListener('sent', onSent);
  window.addEventListener('online', refresh);
  window.addEventListener('offline', refresh);
  if (signal) {
    signal.addEventListener('abort', () => {
      sync.events.removeEventListener('change', refresh);
      sync.events.removeEventListener('progress', onProgress);
      sync.events.removeEventListener('sent', onSent);
      window.removeEventListener('online', refresh);
      window.removeEventListener('offline', refresh);
    }, { once: true });
  }
  refresh();
  return el;
}
