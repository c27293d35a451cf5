// outbox-view.js — what is still waiting to be sent (sync.js, outbox.js), for
// the contractor's pages: each queued report with the state of each photo,
// upload progress while it is sent, and what the server refused.

import { h, fmt, announce, statusLabel } from './ui.js';
import { t, text as msgText } from './i18n.js';
import * as sync from './sync.js';
import * as outbox from './outbox.js';
import { docIcon } from './photos.js';

/** The line of one queued report: segment · date · length · status. */
function reportLine(e) {
  return `${e.segment_code} · ${fmt.date(e.body.report_date)} · ${fmt.m(e.body.built_length_m)} · ${statusLabel(e.body.status)}`;
}

const ENTRY_STATE = { queued: 'ob.queued', uploading: 'ob.uploading', refused: 'ob.refused', done: 'ob.done' };

/** The state of one queued photo, for people. */
export function photoStateText(p) {
  const l = sync.live.get(p.pid);
  if (l) return t('ob.photoSending', { pct: fmt.frac(l.total ? l.loaded / l.total : 0) });
  return p.error ? t('ob.photoWaitingWhy', { why: msgText(p.error.text) }) : t('ob.photoWaiting');
}

/**
 * The outbox of the signed-in user as a section that keeps itself current
 * (hidden while empty). Stops listening when `signal` aborts.
 */
export function outboxPanel({ signal, id = 'outbox' } = {}) {
  const count = h('p.outbox-count');
  const note = h('p.small.outbox-note');
  const list = h('ul.outbox-list');
  const sendNow = h('button.btn', { type: 'button' }, t('ob.sendNow'));
  const el = h(`section.card.outbox#${id}`, { 'aria-labelledby': `${id}-h`, hidden: true },
    h('h2', { id: `${id}-h` }, t('ob.heading')),
    h('div', { 'aria-live': 'polite' }, count), note, list, h('p.actions', sendNow));
  const bars = new Map(); // pid → {bar, text}

  sendNow.addEventListener('click', async () => {
    sendNow.disabled = true;
    sendNow.textContent = t('ob.sending');
    try { await sync.flush(); } finally {
      sendNow.disabled = false;
      sendNow.textContent = t('ob.sendNow');
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
    count.textContent = t('ob.count', { n: waiting.length });
    count.hidden = waiting.length === 0;
    note.textContent = t(!persistent ? 'ob.memoryOnly' : navigator.onLine ? 'ob.online' : 'ob.offline');
    note.hidden = waiting.length === 0;
    sendNow.hidden = waiting.length === 0;
    list.replaceChildren(...entries.map(entryItem));
  }

  function entryItem(e) {
    const stateText = ENTRY_STATE[e.state] ? t(ENTRY_STATE[e.state], { id: e.report_id }) : e.state;
    const photos = e.photos.map((p) => {
      const l = sync.live.get(p.pid);
      const bar = h('progress', { max: '100', value: l && l.total ? String(Math.round((100 * l.loaded) / l.total)) : '0', hidden: !l, 'aria-label': p.name });
      const text = h('span.photo-state', photoStateText(p));
      bars.set(p.pid, { bar, text, p });
      return h('li.outbox-photo', { dataset: { photo: p.pid, state: l ? 'sending' : 'waiting' } },
        p.preview ? h('img.mini', { src: p.preview, alt: '', width: '48', height: '48' }) : docIcon(p.type, p.name),
        h('span.outbox-photo-text', h('span.block', p.name, h('span.small', ` · ${fmt.bytes(p.size)}`)),
          p.caption ? h('span.small.block', `“${p.caption}”`) : null,
          text, bar));
    });
    const actions = [];
    if (e.state === 'refused' || e.state === 'queued') {
      actions.push(h('button.btn.btn-danger', {
        type: 'button',
        'aria-label': t('ob.discardLabel', { code: e.segment_code }),
        onclick: async () => {
          if (e.state === 'queued' && !window.confirm(t('ob.confirmDiscard', { code: e.segment_code }))) return;
          await sync.discard(e.id);
        },
      }, t('ob.discard')));
    }
    if (e.state === 'done') {
      actions.push(h('button.btn', { type: 'button', 'aria-label': t('ob.dismissLabel', { code: e.segment_code }), onclick: () => sync.discard(e.id) }, t('ob.dismiss')));
    }
    return h(`li.outbox-entry.outbox-${e.state}`, { dataset: { entry: e.id, state: e.state, segment: e.segment_code } },
      h('strong', reportLine(e)),
      h('span.block.small', stateText, e.error && e.state !== 'refused' ? ` · ${msgText(e.error.text)}` : ''),
      e.state === 'refused' && e.error ? h('p.msg.msg-error', { role: 'alert' }, msgText(e.error.text)) : null,
      (e.notices || []).map((n) => h('p.msg.msg-warn', { role: 'alert' }, msgText(n))),
      photos.length ? h('ul.outbox-photos', { 'aria-label': t('c.photos') }, photos) : null,
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
    const e = ev.detail.outcome.entry;
    const n = ev.detail.outcome.attachments.length;
    announce(t(n ? 'ob.sentPhotos' : 'ob.sent', { code: e.segment_code, id: e.report_id, photos: t('c.photoCount', { n }) }));
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
