// page-milestones.js — the milestones table; managers and admins edit a row in
// place (PATCH /milestones/{id} with If-Match: "<version>"). A 412 shows what
// someone else changed meanwhile and lets the user apply their change again.

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, stateBadge, announce, retryPage } from './ui.js';
import { resolveProject, projectPicker } from './page-home.js';

const EDITABLE = [
  { key: 'planned_date', label: 'Planned', type: 'date' },
  { key: 'forecast_date', label: 'Forecast', type: 'date' },
  { key: 'actual_date', label: 'Actual', type: 'date' },
  { key: 'notes', label: 'Notes', type: 'text' },
];

const STATE_ORDER = { late: 0, at_risk: 1, on_track: 2, done: 3 };

export async function render(el, ctx) {
  const canEdit = ctx.user.role === 'admin' || ctx.user.role === 'manager';
  el.append(h('h1', 'Milestones'), h('p.loading', 'Loading milestones…'));
  let projects, project, items;
  try {
    ({ projects, project } = await resolveProject(ctx));
    if (!project) { el.querySelector('.loading').replaceWith(h('p', 'There is no project yet.')); return; }
    items = await api.listAll('milestones', { project_id: project.id }, null, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'the milestones', retryPage));
    return;
  }
  el.querySelector('h1').textContent = `Milestones: ${project.code}`;
  el.querySelector('.loading').remove();

  const filter = h('select#ms-filter', { name: 'state' },
    h('option', { value: '' }, 'All'),
    h('option', { value: 'open' }, 'Not done'),
    h('option', { value: 'late' }, 'Late'),
    h('option', { value: 'at_risk' }, 'At risk'),
    h('option', { value: 'on_track' }, 'On track'),
    h('option', { value: 'done' }, 'Done'));
  const tbody = h('tbody');
  const counts = items.reduce((a, m) => { a[m.state] = (a[m.state] || 0) + 1; return a; }, {});
  el.append(
    projectPicker(projects, project, '/milestones', ctx.app.navigate),
    h('p.lead', `${fmt.int(counts.late || 0)} late · ${fmt.int(counts.at_risk || 0)} at risk · ${fmt.int(counts.on_track || 0)} on track · ${fmt.int(counts.done || 0)} done`),
    canEdit ? h('p.hint', 'Choose Edit on a row to change its dates or notes in place.') : h('p.hint', 'Read only for your role.'),
    h('div.field.field-inline', h('label', { for: 'ms-filter' }, 'Show'), filter),
    h('div.table-wrap', h('table.table.table-cards#milestones',
      h('caption.sr-only', 'Milestones'),
      h('thead', h('tr',
        h('th', { scope: 'col' }, 'Milestone'),
        EDITABLE.map((f) => h('th', { scope: 'col' }, f.label)),
        h('th', { scope: 'col' }, 'State'),
        h('th', { scope: 'col' }, 'Funding'),
        canEdit ? h('th', { scope: 'col' }, h('span.sr-only', 'Actions')) : null)),
      tbody)),
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

  function applyFilter() {
    const v = filter.value;
    for (const { tr, m } of rows.values()) {
      tr.hidden = !!v && !(v === 'open' ? m.state !== 'done' : m.state === v);
      const extra = tr.nextElementSibling;
      if (extra && extra.classList.contains('conflict-row')) extra.hidden = tr.hidden;
    }
  }

  function cells(m) {
    return [
      h('th', { scope: 'row', 'data-label': 'Milestone' }, h('span.ms-name', m.name), h('span.small.block', fmt.label(m.kind))),
      ...EDITABLE.map((f) => h('td', { 'data-label': f.label }, f.type === 'date' ? fmt.date(m[f.key]) : (m[f.key] || ''))),
      h('td', { 'data-label': 'State' }, stateBadge(m.state),
        m.variance_days ? h('span.small.block', m.variance_days > 0 ? `${m.variance_days} days behind` : `${-m.variance_days} days ahead`) : null),
      h('td', { 'data-label': 'Funding' }, m.funding_relevant ? 'relevant' : '–', m.tranche_cents ? h('span.small.block', fmt.eur(m.tranche_cents)) : null),
    ];
  }

  function showRow(id) {
    const { tr, m } = rows.get(id);
    removeConflict(tr);
    tr.className = `ms-${m.state}`;
    tr.replaceChildren(...cells(m));
    if (canEdit) {
      tr.append(h('td.actions', { 'data-label': '' },
        h('button.btn', { type: 'button', 'aria-label': `Edit ${m.name}`, onclick: () => editRow(id) }, 'Edit')));
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
        'aria-label': `${f.label} ${f.type === 'date' ? 'date ' : ''}of ${m.name}`,
      });
      if (f.type === 'text') input.maxLength = 2000;
      inputs[f.key] = input;
      return h('td', { 'data-label': f.label }, h('div.field.field-bare', input));
    });
    const save = h('button.btn.btn-primary', { type: 'submit', form: formId }, 'Save');
    const cancel = h('button.btn', { type: 'button', onclick: () => { removeConflict(tr); showRow(id); tr.querySelector('button')?.focus(); } }, 'Cancel');
    // messages go in a full-width row under the one being edited
    const status = h('div.form-status', { 'aria-live': 'polite' });
    const msgRow = h('tr.conflict-row.msg-row', h('td', { colspan: String(EDITABLE.length + 4) }, status));
    msgRow.hidden = true;
    new MutationObserver(() => { msgRow.hidden = !status.childElementCount; }).observe(status, { childList: true });
    tr.className = 'editing';
    tr.replaceChildren(
      h('th', { scope: 'row', 'data-label': 'Milestone' }, h('span.ms-name', m.name), form),
      ...tds,
      h('td', { 'data-label': 'State' }, stateBadge(m.state)),
      h('td', { 'data-label': 'Funding' }, m.funding_relevant ? 'relevant' : '–'),
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
      save.textContent = 'Saving…';
      try {
        const updated = await api.patch(`milestones/${id}`, body, { headers: { 'If-Match': `"${current.version}"` } });
        rows.get(id).m = updated;
        showRow(id);
        applyFilter();
        announce(`Saved ${updated.name}.`);
        tr.querySelector('button')?.focus();
      } catch (err) {
        save.disabled = false;
        save.textContent = 'Save';
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
              input.parentElement.append(h('p.field-error', { id: mid }, e.detail));
            } else rest.push(`${name}: ${e.detail}`);
          }
          status.append(messageBox('error', ['Please correct the highlighted fields.', ...rest].join(' ')));
          tr.querySelector('[aria-invalid="true"]')?.focus();
        } else {
          status.append(errorBox(err, 'this milestone'));
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
      entry.tr.nextElementSibling?.querySelector('.form-status')?.append(errorBox(err, 'this milestone'));
      return;
    }
    entry.m = theirs;
    const changed = EDITABLE.filter((f) => (before[f.key] ?? null) !== (theirs[f.key] ?? null));
    const show = (f, v) => (v === null || v === undefined || v === '' ? '(empty)' : f.type === 'date' ? fmt.date(v) : v);
    const list = h('ul.conflict-list',
      changed.length
        ? changed.map((f) => h('li', h('strong', `${f.label}: `), `${show(f, before[f.key])} → ${show(f, theirs[f.key])}`,
          f.key in mine ? h('span', ` (yours: ${show(f, mine[f.key])})`) : null))
        : h('li', 'Other fields were changed.'));
    const values = {};
    for (const f of EDITABLE) values[f.key] = f.key in mine ? mine[f.key] : theirs[f.key];
    const panel = h('tr.conflict-row', h('td', { colspan: String(EDITABLE.length + 4) },
      h('div.msg.msg-warn#conflict', { role: 'alert' },
        h('p', h('strong', 'Someone else changed this milestone while you were editing it.'),
          ` It is now version ${theirs.version}${theirs.updated_at ? ` (saved ${new Date(theirs.updated_at).toLocaleString()})` : ''}. Their changes:`),
        list,
        h('p', 'Nothing of yours was saved. You can apply your changes on top of theirs, or keep theirs.'),
        h('p.actions',
          h('button.btn.btn-primary', { type: 'button', onclick: () => { editRow(id, values); rows.get(id).tr.querySelector('button[type=submit]').click(); } }, 'Apply my changes again'),
          h('button.btn', { type: 'button', onclick: () => editRow(id, values, messageBox('info', 'Your values are kept; the row now compares against the latest version.')) }, 'Edit again'),
          h('button.btn', { type: 'button', onclick: () => { showRow(id); removeConflict(rows.get(id).tr); announce('Kept their version.'); } }, 'Keep theirs')))));
    removeConflict(entry.tr);
    entry.tr.after(panel);
    panel.querySelector('button').focus();
  }
}
