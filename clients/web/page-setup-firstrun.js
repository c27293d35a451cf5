// page-setup-firstrun.js — the guided first run (#/setup/first-run): on an
// install without a project, an admin (or a manager: they may create
// projects too, SPEC 4) is led step by step: project → lots → contractors →
// users (admins only) → milestones → done. Which steps are done comes from
// the data, never from the browser, so leaving and coming back resumes at
// the first step that is not done yet.

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, announce, retryPage, today, clearFieldErrors } from './ui.js';
import { t, parseDate } from './i18n.js';
import { objectForm, objectTable, openEditor, problemText, keyFor, dateForInput, datePattern, moneyForInput, readMoney } from './page-setup-forms.js';
import { projectKind, lotKind, contractorKind, userKind, milestoneKind, standardMilestones } from './page-setup-kinds.js';

const STEPS = [
  { key: 'project', label: 'su.fr.project', lead: 'su.fr.projectLead' },
  { key: 'lots', label: 'su.fr.lots', lead: 'su.fr.lotsLead' },
  { key: 'contractors', label: 'su.fr.contractors', lead: 'su.fr.contractorsLead' },
  { key: 'users', label: 'su.fr.users', lead: 'su.fr.usersLead', admin: true },
  { key: 'milestones', label: 'su.fr.milestones', lead: 'su.fr.milestonesLead' },
];

/**
 * Where the first run stands, from the data: {steps, done, next, finished,
 * project, data}. finished when every step of the role has data, or when
 * there are several projects already (the first run is long over).
 */
export async function firstRunProgress(user, signal) {
  const admin = user.role === 'admin';
  const steps = STEPS.filter((s) => !s.admin || admin).map((s, i) => ({ ...s, n: i + 1 }));
  const projects = await api.get('projects', { limit: 2 }, { signal });
  if (projects.items.length > 1) return { steps, finished: true, several: true };
  const project = projects.items[0] || null;
  const data = { lots: [], contractors: [], users: [], milestones: [] };
  if (project) {
    [data.lots, data.contractors, data.users, data.milestones] = await Promise.all([
      api.listAll('lots', { project_id: project.id }, null, { signal }),
      api.listAll('contractors', {}, null, { signal }),
      admin ? api.listAll('users', {}, null, { signal }) : Promise.resolve([]),
      api.listAll('milestones', { project_id: project.id }, null, { signal }),
    ]);
  }
  const done = {
    project: !!project,
    lots: data.lots.length > 0,
    contractors: data.contractors.length > 0,
    // someone besides the admin who installed it can sign in
    users: data.users.some((u) => u.active && u.id !== user.id),
    milestones: data.milestones.length > 0,
  };
  const next = steps.find((s) => !done[s.key]) || null;
  return { steps, done, next, finished: !next, project, data };
}

export async function render(el, ctx) {
  el.append(h('h1', t('su.fr.title')), h('p.loading', t('c.loading')));
  let p;
  try {
    p = await firstRunProgress(ctx.user, ctx.signal);
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'su.what.setup', retryPage));
    return;
  }
  const loading = el.querySelector('.loading');
  if (p.several) {
    loading.replaceWith(messageBox('info', t('su.fr.over'), h('p', h('a', { href: '#/setup/projects' }, t('su.fr.openSetup')))));
    return;
  }
  // ?step= when the user moves on or back; without it, the first step not done yet
  const asked = ctx.query.get('step');
  let step = p.steps.find((s) => s.key === asked) || (asked === 'done' ? 'done' : null) || p.next || 'done';
  if (!p.project) step = p.steps[0];
  const go = (key) => ctx.app.navigate(`/setup/first-run?step=${key}`);
  const after = (s) => {
    const i = p.steps.indexOf(s);
    return i + 1 < p.steps.length ? p.steps[i + 1].key : 'done';
  };
  const before = (s) => p.steps[p.steps.indexOf(s) - 1]?.key;

  const lead = p.project
    ? t('su.fr.leadProject', { code: p.project.code })
    : t(ctx.user.role === 'admin' ? 'su.fr.lead' : 'su.fr.leadManager');
  loading.replaceWith(
    h('p.lead', lead),
    stepper(p, step),
  );
  const box = h('section.fr-step.card', { 'aria-labelledby': 'fr-h2' });
  el.append(box);
  if (step === 'done') {
    renderDone(box, p, ctx);
    return;
  }
  const nav = { next: () => go(after(step)), back: before(step) ? () => go(before(step)) : null };
  box.append(
    h('h2#fr-h2', t('su.fr.stepOf', { n: step.n, total: p.steps.length, step: t(step.label) })),
    h('p.lead', t(step.lead)));
  if (ctx.user.role !== 'admin' && step.key === 'contractors') box.append(messageBox('info', t('su.fr.usersByAdmin')));
  await STEP_RENDER[step.key](box, p, ctx, nav);
}

const STATE_WORDS = { current: 'su.fr.stateCurrent', done: 'su.fr.stateDone', todo: 'su.fr.stateTodo' };

/** The steps as an ordered list: done ✓, the current one, those still to do. */
function stepper(p, current) {
  const items = [...p.steps, { key: 'done', label: 'su.fr.done', n: p.steps.length + 1 }];
  return h('nav.stepper-nav', { 'aria-label': t('su.fr.steps') }, h('ol.stepper', items.map((s) => {
    const isCurrent = current === 'done' ? s.key === 'done' : current.key === s.key;
    const isDone = s.key === 'done' ? p.finished : p.done[s.key];
    const state = isCurrent ? 'current' : isDone ? 'done' : 'todo';
    const mark = h('span.step-mark', { 'aria-hidden': 'true' }, isDone && !isCurrent ? '✓' : s.key === 'done' ? '★' : String(s.n));
    const text = [mark, h('span.step-label', t(s.label)), h('span.sr-only', ` (${t(STATE_WORDS[state])})`)];
    // a step needs the project: before it exists, only the first one is open
    const open = p.project || s.key === 'project';
    return h('li', { class: `step step-${state}`, dataset: { step: s.key } }, open
      ? h('a', { href: `#/setup/first-run?step=${s.key}`, 'aria-current': isCurrent ? 'step' : null }, text)
      : h('span', text));
  })));
}

/** The buttons under a step: Continue (or Skip while nothing is there), Back. */
function stepActions(nav, { canContinue }) {
  const next = h('button.btn.btn-primary#fr-next', { type: 'button', onclick: nav.next }, t('su.fr.continue'));
  const skip = h('button.btn#fr-skip', { type: 'button', onclick: nav.next }, t('su.fr.skip'));
  const back = nav.back ? h('button.btn.btn-quiet#fr-back', { type: 'button', onclick: nav.back }, t('su.fr.back')) : null;
  const bar = h('p.actions.fr-actions', back);
  const update = (can) => {
    next.hidden = !can;
    skip.hidden = can;
  };
  update(canContinue);
  bar.append(next, skip);
  return { el: bar, update, next };
}

/**
 * An inline form of a step that creates (or, with obj, changes) one object:
 * 422 at the fields, a taken code at the code field, a 412 reloads theirs.
 * onSaved(obj, created) runs after the server accepted it.
 */
function inlineForm(kind, { prefix, obj = null, fixed = {}, values = null, submitLabel, onSaved, extra = null }) {
  let base = obj;
  let f = objectForm(kind, { obj, values, prefix });
  const status = h('div.form-status', { 'aria-live': 'polite' });
  const submit = h('button.btn.btn-primary', { type: 'submit', form: f.form.id, id: `${prefix}-submit` }, submitLabel);
  if (extra) f.form.append(extra);
  f.form.append(h('p.actions', submit), status);
  const nextKey = keyFor();
  let busy = false;
  f.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const vals = f.readForSave(status);
    if (!vals) return;
    let body = { ...fixed, ...vals };
    if (base) {
      body = f.diff(base, vals);
      if (!Object.keys(body).length) { await onSaved(base, false); return; }
    }
    busy = true;
    submit.disabled = true;
    try {
      const saved = base
        ? await api.patch(`${kind.resource}/${base.id}`, body, { headers: { 'If-Match': `"${base.version}"` } })
        : await api.post(kind.resource, body, { headers: { 'Idempotency-Key': nextKey(body) } });
      announce(t(base ? 'su.saved' : 'su.created', { what: t(kind.one), name: kind.name(saved) }));
      await onSaved(saved, !base);
    } catch (err) {
      if (err.status === 422 || (err.status === 409 && /exists already/.test(err.detail || ''))) {
        const rest = f.showProblem(err);
        status.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
      } else if (err.status === 412) {
        // someone else saved it meanwhile: show theirs, so the user decides again on what is there now
        try {
          base = await api.get(`${kind.resource}/${base.id}`);
          f.setValues(base);
          status.replaceChildren(messageBox('warn', t('su.fr.changedMeanwhile')));
        } catch (e2) {
          status.replaceChildren(errorBox(e2, kind.what));
        }
      } else {
        status.replaceChildren(errorBox(err, kind.what));
      }
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });
  return { f, el: f.form, status, reset(v) { f.setValues({ ...(kind.defaults ? kind.defaults() : {}), ...v }); clearFieldErrors(f.form); status.replaceChildren(); } };
}

/** Focus on a form's first field; a suggested value (LOS-2) is selected, so typing replaces it. */
function focusFirst(form) {
  const input = form.querySelector('input:not([type=checkbox]):not([disabled]), select, textarea');
  if (!input) return;
  input.focus();
  if (input.tagName === 'INPUT' && input.value) input.select();
}

/** A kind without some of its fields (the first run asks for the essentials only). */
const without = (kind, ...keys) => ({ ...kind, fields: kind.fields.filter((f) => !keys.includes(f.key)) });

/** A list of what a step created so far; each row can be edited in the dialog. */
function stepTable(box, kind, items, id, emptyText, caption) {
  let table = null;
  const rowButton = (id) => table.rowOf(id)?.querySelector('button');
  const edit = (o, opener) => openEditor(kind, {
    host: box, obj: o, opener, lock: kind.lockFor ? kind.lockFor(o) : [],
    refocus: () => rowButton(o.id),
    onSaved: (saved) => { table.upsert(saved); return rowButton(saved.id); },
    onDeleted: (gone) => table.remove(gone.id),
  });
  table = objectTable({
    id, caption, columns: kind.columns, items, sort: kind.sort, emptyText,
    actions: (o) => h('button.btn', { type: 'button', 'aria-label': t('su.editLabel', { name: kind.name(o) }), onclick: (e) => edit(o, e.currentTarget) }, t('su.edit')),
  });
  return table;
}

const STEP_RENDER = {
  // 1. The project: what the funding notice names.
  async project(box, p, ctx, nav) {
    const kind = without(projectKind(), 'status');
    const form = inlineForm(kind, {
      prefix: 'fr-project',
      obj: p.project,
      submitLabel: t('su.fr.saveContinue'),
      onSaved: (saved) => {
        ctx.app.setCurrentProject(saved.id);
        nav.next();
      },
    });
    box.append(h('p.small', t('su.requiredNote')), form.el);
    focusFirst(form.el);
  },

  // 2. Lots: one form per lot, as often as there are lots; a contractor comes in step 3.
  async lots(box, p, ctx, nav) {
    const kind = without(lotKind({ contractors: p.data.contractors }), 'contractor_id');
    const listKind = lotKind({ contractors: p.data.contractors });
    const table = stepTable(box, listKind, p.data.lots, 'fr-lots', t('su.fr.noLotsYet'), t('su.fr.lots'));
    const actions = stepActions(nav, { canContinue: p.data.lots.length > 0 });
    const nextCode = () => `LOS-${table.items().length + 1}`;
    const form = inlineForm(kind, {
      prefix: 'fr-lot',
      fixed: { project_id: p.project.id },
      values: { code: nextCode() },
      submitLabel: t('su.fr.addLot'),
      onSaved: (saved) => {
        table.upsert(saved);
        actions.update(true);
        form.reset({ code: nextCode() });
        focusFirst(form.el);
      },
    });
    box.append(table.el, h('h3', t('su.fr.addLotH')), form.el, actions.el);
    focusFirst(form.el);
  },

  // 3. Contractors, and which of the project's lots each one builds.
  async contractors(box, p, ctx, nav) {
    let lots = p.data.lots;
    const refs = { lots, projects: [p.project] };
    const kind = contractorKind(refs);
    const table = stepTable(box, kind, p.data.contractors, 'fr-contractors', t('su.fr.noContractorsYet'), t('su.fr.contractors'));
    const actions = stepActions(nav, { canContinue: p.data.contractors.length > 0 });
    const lotBox = h('fieldset.fr-lots-pick');
    const drawLots = () => {
      const free = lots.filter((l) => !l.contractor_id);
      lotBox.hidden = !lots.length;
      lotBox.replaceChildren(h('legend', t('su.fr.lotsOfContractor')),
        ...lots.map((l) => h('div.field.field-check',
          h('input', { type: 'checkbox', id: `fr-lot-pick-${l.id}`, value: String(l.id), checked: free.length > 0 && !l.contractor_id }),
          h('label', { for: `fr-lot-pick-${l.id}` }, `${l.code} – ${l.name}`,
            l.contractor_id ? h('span.small', ` (${t('su.fr.lotTaken', { name: p.data.contractors.find((c) => c.id === l.contractor_id)?.name || '' })})`) : null))));
    };
    drawLots();
    const form = inlineForm(kind, {
      prefix: 'fr-contractor',
      submitLabel: t('su.fr.addContractor'),
      extra: lotBox,
      onSaved: async (saved) => {
        p.data.contractors.push(saved);
        // the lots ticked for this contractor: each PATCHed with its version
        const picked = [...lotBox.querySelectorAll('input:checked')].map((i) => Number(i.value));
        const failed = [];
        for (const id of picked) {
          const lot = lots.find((l) => l.id === id);
          try {
            const now = await api.patch(`lots/${id}`, { contractor_id: saved.id }, { headers: { 'If-Match': `"${lot.version}"` } });
            lots = lots.map((l) => (l.id === id ? now : l));
          } catch (err) {
            failed.push(`${lot.code}: ${err.status === 412 ? t('su.fr.changedMeanwhile') : problemText(err.detail) || err.message}`);
          }
        }
        refs.lots = lots;
        table.upsert(saved);
        actions.update(true);
        form.reset({});
        drawLots();
        if (failed.length) form.status.replaceChildren(messageBox('error', [t('su.fr.lotsNotAssigned'), ...failed].join(' ')));
        focusFirst(form.el);
      },
    });
    box.append(table.el, h('h3', t('su.fr.addContractorH')), form.el, actions.el);
    focusFirst(form.el);
  },

  // 4. Users: a login for the contractor's site manager, a project manager, finance.
  async users(box, p, ctx, nav) {
    const kind = userKind({ contractors: p.data.contractors }, ctx.user);
    const table = stepTable(box, kind, p.data.users, 'fr-users', t('su.fr.noUsersYet'), t('su.fr.users'));
    const others = () => table.items().some((u) => u.active && u.id !== ctx.user.id);
    const actions = stepActions(nav, { canContinue: others() });
    const latest = [...p.data.contractors].sort((a, b) => b.id - a.id)[0];
    const start = () => (latest ? { role: 'contractor', contractor_id: latest.id } : { role: 'manager' });
    const form = inlineForm(kind, {
      prefix: 'fr-user',
      values: start(),
      submitLabel: t('su.fr.addUser'),
      onSaved: (saved) => {
        table.upsert(saved);
        actions.update(others());
        form.reset(start());
        focusFirst(form.el);
      },
    });
    box.append(table.el, h('h3', t('su.fr.addUserH')), form.el, actions.el);
    focusFirst(form.el);
  },

  // 5. Milestones: the standard funding milestones in one go, dates editable.
  async milestones(box, p, ctx, nav) {
    const kind = milestoneKind();
    const actions = stepActions(nav, { canContinue: p.data.milestones.length > 0 });
    if (p.data.milestones.length) {
      box.append(stepTable(box, kind, p.data.milestones, 'fr-milestones', '', t('su.fr.milestones')).el, actions.el);
      actions.next.focus();
      return;
    }
    const std = standardMilestonesForm(p.project, {
      prefix: 'fr-std',
      onCreated: () => nav.next(),
    });
    box.append(std, actions.el);
    std.querySelector('input[type=text]')?.focus();
  },
};

/**
 * The standard funding milestones as a form: one row per kind with a tick,
 * its name, planned date, funding relevance and tranche, all editable; one
 * button creates the ticked ones. Rows already created stay done if a later
 * one fails, so sending again creates nothing twice.
 */
export function standardMilestonesForm(project, { prefix, onCreated }) {
  const rows = standardMilestones(project, today()).map((m, i) => ({ m, i, key: api.newIdempotencyKey(), created: null }));
  const form = h('form.fr-std', { id: `${prefix}-form`, novalidate: true });
  const status = h('div.form-status', { 'aria-live': 'polite' });
  const tbody = h('tbody');
  const submit = h('button.btn.btn-primary', { type: 'submit', id: `${prefix}-create` });
  const inputs = rows.map(({ m, i }) => {
    const id = (k) => `${prefix}-${i}-${k}`;
    const kindName = fmt.enum('milestone_kind', m.kind);
    const x = {
      use: h('input', { type: 'checkbox', id: id('use'), checked: true, 'aria-label': t('su.std.use', { name: kindName }) }),
      name: h('input', { type: 'text', id: id('name'), value: m.name, maxlength: '200', 'aria-label': t('su.std.nameOf', { name: kindName }) }),
      date: h('input', { type: 'text', id: id('date'), value: dateForInput(m.planned_date), placeholder: datePattern(), autocomplete: 'off', 'aria-label': t('su.std.dateOf', { name: kindName }) }),
      funding: h('input', { type: 'checkbox', id: id('funding'), checked: m.funding_relevant, 'aria-label': t('su.std.fundingOf', { name: kindName }) }),
      tranche: h('input', { type: 'text', id: id('tranche'), value: '', inputmode: 'decimal', autocomplete: 'off', placeholder: moneyForInput(0), 'aria-label': t('su.std.trancheOf', { name: kindName }) }),
    };
    x.row = h('tr', { dataset: { kind: m.kind } },
      h('td.std-use', { 'data-label': '' }, x.use, h('label.sr-only', { for: x.use.id }, kindName)),
      h('th', { scope: 'row', 'data-label': t('su.f.name') }, h('div.field.field-bare', x.name), h('span.small.block', kindName)),
      h('td', { 'data-label': t('c.planned') }, h('div.field.field-bare', x.date)),
      h('td', { 'data-label': t('su.col.funding') }, x.funding),
      h('td', { 'data-label': t('su.f.tranche') }, h('div.field.field-bare', x.tranche)));
    tbody.append(x.row);
    return x;
  });
  const count = () => rows.filter((r) => !r.created && inputs[r.i].use.checked).length;
  const label = () => { submit.textContent = t('su.std.create', { n: count() }); submit.disabled = count() === 0; };
  form.addEventListener('change', label);
  label();
  form.append(
    h('p', t('su.std.lead', { pattern: datePattern() })),
    h('div.table-wrap', h('table.table.table-cards.std-table',
      h('caption.sr-only', t('su.std.title')),
      h('thead', h('tr',
        h('th', { scope: 'col' }, h('span.sr-only', t('su.std.useCol'))),
        h('th', { scope: 'col' }, t('su.f.name')),
        h('th', { scope: 'col' }, t('c.planned')),
        h('th', { scope: 'col' }, t('su.col.funding')),
        h('th', { scope: 'col' }, t('su.f.tranche')))),
      tbody)),
    h('p.actions', submit), status);

  const fieldError = (input, text) => {
    const eid = `${input.id}-error`;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', eid);
    input.parentElement.append(h('p.field-error', { id: eid }, text));
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    clearFieldErrors(form);
    status.replaceChildren();
    // read every ticked row first: nothing is sent while one of them cannot be read
    const todo = [];
    for (const r of rows) {
      const x = inputs[r.i];
      if (r.created || !x.use.checked) continue;
      const date = parseDate(x.date.value);
      const tranche = readMoney(x.tranche.value);
      if (typeof date !== 'string') fieldError(x.date, date === null ? t('su.std.dateRequired') : t('su.err.date', { example: dateForInput('2026-11-25') }));
      if (tranche.error) fieldError(x.tranche, tranche.error);
      if (!x.name.value.trim()) fieldError(x.name, t('srv.notEmpty'));
      todo.push({ r, body: {
        project_id: project.id, name: x.name.value.trim(), kind: r.m.kind, planned_date: date,
        funding_relevant: x.funding.checked, tranche_cents: tranche.cents || 0,
      } });
    }
    if (form.querySelector('[aria-invalid="true"]')) {
      status.replaceChildren(messageBox('error', t('c.fixFields')));
      form.querySelector('[aria-invalid="true"]').focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('c.saving');
    const created = [];
    for (const { r, body } of todo) {
      const x = inputs[r.i];
      try {
        r.created = await api.post('milestones', body, { headers: { 'Idempotency-Key': r.key } });
        created.push(r.created);
        for (const i of [x.use, x.name, x.date, x.funding, x.tranche]) i.disabled = true;
        x.row.classList.add('std-done');
      } catch (err) {
        if (err.status === 422) {
          const map = { name: x.name, planned_date: x.date, tranche_cents: x.tranche };
          const rest = [];
          for (const e of err.errors) {
            const k = String(e.pointer || '').replace(/^\//, '');
            if (map[k]) fieldError(map[k], problemText(e.detail));
            else rest.push(t('err.field', { field: k, detail: problemText(e.detail) }));
          }
          status.replaceChildren(messageBox('error', [t('c.fixFields'), ...rest].join(' ')));
          form.querySelector('[aria-invalid="true"]')?.focus();
        } else {
          status.replaceChildren(errorBox(err, 'what.milestone'));
        }
        break;
      }
    }
    label();
    const all = rows.filter((r) => r.created).map((r) => r.created);
    if (created.length) announce(t('su.std.created', { n: created.length }));
    if (!status.childElementCount) onCreated(all);
  });
  return form;
}

/** The end: what is there now, what was skipped, and the way to the overview. */
function renderDone(box, p, ctx) {
  const d = p.data;
  const counts = [
    ['su.fr.lots', d.lots.length, 'lots'],
    ['su.fr.contractors', d.contractors.length, 'contractors'],
    ...(ctx.user.role === 'admin' ? [['su.fr.users', d.users.filter((u) => u.active).length, 'users']] : []),
    ['su.fr.milestones', d.milestones.length, 'milestones'],
  ];
  const skipped = p.steps.filter((s) => !p.done[s.key]);
  const overview = h('a.btn.btn-primary#fr-overview', { href: '#/' }, t('su.fr.toOverview'));
  overview.addEventListener('click', () => ctx.app.setCurrentProject(p.project.id));
  box.append(...[
    h('h2#fr-h2', t(p.finished ? 'su.fr.doneH' : 'su.fr.almostH')),
    h('p.lead', t('su.fr.doneLead', { code: p.project.code, name: p.project.name })),
    h('dl.facts.fr-summary', counts.map(([label, n, sec]) => h('div',
      h('dt', t(label)),
      h('dd', h('a', { href: `#/setup/${sec}?project=${p.project.id}` }, fmt.int(n)))))),
    skipped.length ? messageBox('info', t('su.fr.skipped', { steps: skipped.map((s) => t(s.label)).join(', ') })) : null,
    ctx.user.role !== 'admin' ? messageBox('info', t('su.fr.usersByAdmin')) : null,
    h('p.actions', overview, h('a.btn', { href: '#/setup/projects' }, t('su.fr.openSetup'))),
  ].filter(Boolean));
  ctx.app.setCurrentProject(p.project.id);
  overview.focus();
}
