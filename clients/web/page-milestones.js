// page-milestones.js — the milestones table; managers and admins edit a row in
// place (PATCH /milestones/{id} with If-Match: "<version>"). A 412 shows what
// someone else changed meanwhile and lets the user apply their change again.
// Beside the table, the same milestones as a timeline (timeline.js): a
// Table | Timeline switch whose choice is kept in the URL (?view=timeline).

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, stateBadge, announce, retryPage, today } from './ui.js';
import { resolveProject, projectPicker } from './page-home.js';
import { t, serverText } from './i18n.js';
import { timeline } from './timeline.js';

const EDITABLE = [
  { key: 'planned_date', label: 'c.planned', type: 'date' },
  { key: 'forecast_date', label: 'c.forecast', type: 'date' },
  { key: 'actual_date', label: 'c.actual', type: 'date' },
  { key: 'notes', label: 'c.notes', type: 'text' },
];

const STATE_ORDER = { late: 0, at_risk: 1, on_track: 2, done: 3 };

export async function render(el, ctx) {
  const canEdit = ctx.user.role === 'admin' || ctx.user.role === 'manager';
  el.append(h('h1', t('ms.title')), h('p.loading', t('ms.loading')));
  let projects, project, items;
  try {
    ({ projects, project } = await resolveProject(ctx));
    if (!project) { el.querySelector('.loading').replaceWith(h('p', t('c.noProject'))); return; }
    items = await api.listAll('milestones', { project_id: project.id }, null, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'what.milestones', retryPage));
    return;
  }
  el.querySelector('h1').textContent = t('ms.titleOf', { code: project.code });
  el.querySelector('.loading').remove();

  const filter = h('select#ms-filter', { name: 'state' },
    h('option', { value: '' }, t('c.all')),
    h('option', { value: 'open' }, t('ms.open')),
    ['late', 'at_risk', 'on_track', 'done'].map((v) => h('option', { value: v }, t(`msstate.${v}`))));
  const tbody = h('tbody');
  const counts = items.reduce((a, m) => { a[m.state] = (a[m.state] || 0) + 1; return a; }, {});
  const views = viewSwitch(ctx.query.get('view') === 'timeline' ? 'timeline' : 'table', showView);
  const timelinePanel = h('div#ms-panel-timeline.tab-panel', { role: 'tabpanel', 'aria-labelledby': 'ms-tab-timeline', tabindex: '-1' });
  el.append(
    projectPicker(projects, project, '/milestones', ctx.app.navigate),
    h('p.lead', t('ms.lead', {
      late: fmt.int(counts.late || 0), risk: fmt.int(counts.at_risk || 0), track: fmt.int(counts.on_track || 0), done: fmt.int(counts.done || 0),
    })),
    h('div.ms-controls', h('div.field.field-inline', h('label', { for: 'ms-filter' }, t('c.show')), filter), views.el),
    h('div#ms-panel-table.tab-panel', { role: 'tabpanel', 'aria-labelledby': 'ms-tab-table', tabindex: '-1' },
      canEdit ? h('p.hint', t('ms.hintEdit')) : h('p.hint', t('ms.readOnly')),
      h('div.table-wrap', h('table.table.table-cards#milestones',
      h('caption.sr-only', t('ms.title')),
      h('thead', h('tr',
        h('th', { scope: 'col' }, t('c.milestone')),
        EDITABLE.map((f) => h('th', { scope: 'col' }, t(f.label))),
        h('th', { scope: 'col' }, t('c.state')),
        h('th', { scope: 'col' }, t('c.funding')),
        canEdit ? h('th', { scope: 'col' }, h('span.sr-only', t('c.actions'))) : null)),
      tbody))),
    timelinePanel,
  );

  items.sort((a, b) => (a.planned_date || '').localeCompare(b.planned_date || '') || a.id - b.id);
  const rows = new Map();
  for (const m of items) {
    const tr = h('tr', { dataset: { id: m.id } });
    rows.set(m.id, { tr, m });
    tbody.append(tr);
    showRow(m.id);
  }
  filter.addEventListener('change', applyFilter);
  showView(views.current);

  function shown(m) {
    const v = filter.value;
    return !v || (v === 'open' ? m.state !== 'done' : m.state === v);
  }

  function applyFilter() {
    for (const { tr, m } of rows.values()) {
      tr.hidden = !shown(m);
      const extra = tr.nextElementSibling;
      if (extra && extra.classList.contains('conflict-row')) extra.hidden = tr.hidden;
    }
    if (views.current === 'timeline') drawTimeline();
  }

  /** The timeline of the milestones the filter shows, as the table has them now (edits included). */
  function drawTimeline() {
    const list = [...rows.values()].map((r) => r.m).filter(shown);
    timelinePanel.replaceChildren(timeline(list, { today: today(), onOpen: openInTable }));
  }

  /** From the timeline to the milestone's row in the table, with the focus on it. */
  function openInTable(m) {
    views.select('table');
    const { tr } = rows.get(m.id);
    const target = tr.querySelector('button') || tr.querySelector('th');
    if (target.tagName === 'TH') target.tabIndex = -1;
    target.focus();
    tr.scrollIntoView({ block: 'center' });
  }

  function showView(view) {
    el.querySelector('#ms-panel-table').hidden = view !== 'table';
    timelinePanel.hidden = view !== 'timeline';
    if (view === 'timeline') drawTimeline();
    else timelinePanel.replaceChildren();
  }

  function cells(m) {
    return [
      h('th', { scope: 'row', 'data-label': t('c.milestone') }, h('span.ms-name', m.name), h('span.small.block', fmt.enum('milestone_kind', m.kind))),
      ...EDITABLE.map((f) => h('td', { 'data-label': t(f.label) }, f.type === 'date' ? fmt.date(m[f.key]) : (m[f.key] || ''))),
      h('td', { 'data-label': t('c.state') }, stateBadge(m.state),
        m.variance_days ? h('span.small.block', m.variance_days > 0 ? t('ms.behind', { n: m.variance_days }) : t('ms.ahead', { n: -m.variance_days })) : null),
      h('td', { 'data-label': t('c.funding') }, m.funding_relevant ? t('ms.relevant') : '–', m.tranche_cents ? h('span.small.block', fmt.eur(m.tranche_cents)) : null),
    ];
  }

  function showRow(id) {
    const { tr, m } = rows.get(id);
    removeConflict(tr);
    tr.className = `ms-${m.state}`;
    tr.replaceChildren(...cells(m));
    if (canEdit) {
      tr.append(h('td.actions', { 'data-label': '' },
        h('button.btn', { type: 'button', 'aria-label': t('ms.editLabel', { name: m.name }), onclick: () => editRow(id) }, t('ms.edit'))));
    }
  }

  function removeConflict(tr) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains('conflict-row')) next.remove();
  }

  /** Turns the row into a small form; values = what to prefill (defaults to the row). */
  function editRow(id, values = null, note = null) {
    const entry = rows.get(id);
    const { tr, m } = entry;
    removeConflict(tr);
    const formId = `ms-form-${id}`;
    const form = h('form', { id: formId, novalidate: true });
    const inputs = {};
    const tds = EDITABLE.map((f) => {
      const input = h('input', {
        id: `ms-${id}-${f.key}`, name: f.key, type: f.type, form: formId,
        value: (values ? values[f.key] : m[f.key]) ?? '',
        'aria-label': t(f.type === 'date' ? 'ms.inputDate' : 'ms.input', { field: t(f.label), name: m.name }),
      });
      if (f.type === 'text') input.maxLength = 2000;
      inputs[f.key] = input;
      return h('td', { 'data-label': t(f.label) }, h('div.field.field-bare', input));
    });
    const save = h('button.btn.btn-primary', { type: 'submit', form: formId }, t('c.save'));
    const cancel = h('button.btn', { type: 'button', onclick: () => { removeConflict(tr); showRow(id); tr.querySelector('button')?.focus(); } }, t('c.cancel'));
    // messages go in a full-width row under the one being edited
    const status = h('div.form-status', { 'aria-live': 'polite' });
    const msgRow = h('tr.conflict-row.msg-row', h('td', { colspan: String(EDITABLE.length + 4) }, status));
    msgRow.hidden = true;
    new MutationObserver(() => { msgRow.hidden = !status.childElementCount; }).observe(status, { childList: true });
    tr.className = 'editing';
    tr.replaceChildren(
      h('th', { scope: 'row', 'data-label': t('c.milestone') }, h('span.ms-name', m.name), form),
      ...tds,
      h('td', { 'data-label': t('c.state') }, stateBadge(m.state)),
      h('td', { 'data-label': t('c.funding') }, m.funding_relevant ? t('ms.relevant') : '–'),
      h('td.actions', { 'data-label': '' }, save, cancel),
    );
    tr.after(msgRow);
    if (note) status.append(note);
    inputs.planned_date.focus();

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      for (const i of Object.values(inputs)) {
        i.removeAttribute('aria-invalid');
        i.removeAttribute('aria-describedby');
        i.parentElement.querySelector('.field-error')?.remove();
      }
      status.replaceChildren();
      const current = rows.get(id).m;
      const body = {};
      for (const f of EDITABLE) {
        const v = inputs[f.key].value.trim();
        const now = v === '' ? null : v;
        if (now !== (current[f.key] ?? null)) body[f.key] = now;
      }
      if (!Object.keys(body).length) { showRow(id); return; }
      save.disabled = true;
      save.textContent = t('c.saving');
      try {
        const updated = await api.patch(`milestones/${id}`, body, { headers: { 'If-Match': `"${current.version}"` } });
        rows.get(id).m = updated;
        showRow(id);
        applyFilter();
        announce(t('ms.saved', { name: updated.name }));
        tr.querySelector('button')?.focus();
      } catch (err) {
        save.disabled = false;
        save.textContent = t('c.save');
        if (err.status === 412) {
          await conflict(id, body, inputs);
        } else if (err.status === 422) {
          // the inputs live in table cells, not in the form element: map by name
          const rest = [];
          for (const e of err.errors) {
            const name = String(e.pointer || '').replace(/^\//, '');
            const input = inputs[name];
            if (input) {
              input.setAttribute('aria-invalid', 'true');
              const mid = `${input.id}-error`;
              input.setAttribute('aria-describedby', mid);
              input.parentElement.querySelector('.field-error')?.remove();
              input.parentElement.append(h('p.field-error', { id: mid }, serverText(e.detail)));
            } else rest.push(t('err.field', { field: name, detail: serverText(e.detail) }));
          }
          status.append(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
          tr.querySelector('[aria-invalid="true"]')?.focus();
        } else {
          status.append(errorBox(err, 'what.milestone'));
        }
      }
    });
  }

  /** 412: reload, show their change next to mine, and offer to apply mine again. */
  async function conflict(id, mine, inputs) {
    const entry = rows.get(id);
    const before = entry.m;
    let theirs;
    try {
      theirs = await api.get(`milestones/${id}`);
    } catch (err) {
      entry.tr.nextElementSibling?.querySelector('.form-status')?.append(errorBox(err, 'what.milestone'));
      return;
    }
    entry.m = theirs;
    const changed = EDITABLE.filter((f) => (before[f.key] ?? null) !== (theirs[f.key] ?? null));
    const show = (f, v) => (v === null || v === undefined || v === '' ? t('ms.empty') : f.type === 'date' ? fmt.date(v) : v);
    const list = h('ul.conflict-list',
      changed.length
        ? changed.map((f) => h('li', h('strong', `${t(f.label)}: `), `${show(f, before[f.key])} → ${show(f, theirs[f.key])}`,
          f.key in mine ? h('span', t('ms.yours', { value: show(f, mine[f.key]) })) : null))
        : h('li', t('ms.otherFields')));
    const values = {};
    for (const f of EDITABLE) values[f.key] = f.key in mine ? mine[f.key] : theirs[f.key];
    const panel = h('tr.conflict-row', h('td', { colspan: String(EDITABLE.length + 4) },
      h('div.msg.msg-warn#conflict', { role: 'alert' },
        h('p', h('strong', t('ms.conflict')),
          theirs.updated_at
            ? t('ms.conflictVersionAt', { version: theirs.version, when: fmt.dateTime(theirs.updated_at) })
            : t('ms.conflictVersion', { version: theirs.version })),
        list,
        h('p', t('ms.nothingSaved')),
        h('p.actions',
          h('button.btn.btn-primary', { type: 'button', onclick: () => { editRow(id, values); rows.get(id).tr.querySelector('button[type=submit]').click(); } }, t('ms.applyAgain')),
          h('button.btn', { type: 'button', onclick: () => editRow(id, values, messageBox('info', t('ms.valuesKept'))) }, t('ms.editAgain')),
          h('button.btn', { type: 'button', onclick: () => { showRow(id); removeConflict(rows.get(id).tr); announce(t('ms.keptTheirs')); } }, t('ms.keepTheirs'))))));
    removeConflict(entry.tr);
    entry.tr.after(panel);
    panel.querySelector('button').focus();
  }
}

/**
 * Table | Timeline: two tabs (arrow keys move between them). The choice goes
 * into the URL in place (?view=timeline), so that a reload or a shared link
 * opens the same view, without a history entry of its own.
 */
function viewSwitch(initial, onChange) {
  const sw = { current: initial, el: null };
  const tabs = ['table', 'timeline'].map((v) => h('button.tab', {
    type: 'button', role: 'tab', id: `ms-tab-${v}`, 'aria-controls': `ms-panel-${v}`, dataset: { view: v },
    onclick: () => select(v),
  }, t(v === 'table' ? 'tl.table' : 'tl.timeline')));
  sw.el = h('div.tabs', { role: 'tablist', 'aria-label': t('tl.views') }, tabs);
  sw.el.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let to = null;
    if (e.key === 'ArrowRight') to = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') to = (i + tabs.length - 1) % tabs.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = tabs.length - 1;
    if (to === null) return;
    e.preventDefault();
    select(tabs[to].dataset.view);
    tabs[to].focus();
  });

  function mark() {
    for (const b of tabs) {
      const on = b.dataset.view === sw.current;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
  }

  function select(v) {
    if (v === sw.current) return;
    sw.current = v;
    mark();
    const [path, qs] = location.hash.replace(/^#/, '').split('?');
    const q = new URLSearchParams(qs || '');
    if (v === 'table') q.delete('view'); else q.set('view', v);
    const rest = q.toString();
    history.replaceState(null, '', `#${path}${rest ? `?${rest}` : ''}`);
    onChange(v);
  }

  sw.select = select;
  mark();
  return sw;
}
