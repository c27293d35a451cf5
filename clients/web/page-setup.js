// page-setup.js — Setup (Einrichtung) for admins and managers: projects,
// lots, contractors, users (admins only) and milestones, each a section
// (#/setup/lots) with a sortable list and a dialog to create and edit.
// Users are deactivated, never deleted. While the first project is not set
// up completely, a notice leads back into the guided first run.

import * as api from './api.js';
import { h, errorBox, messageBox, announce, retryPage } from './ui.js';
import { t } from './i18n.js';
import { objectTable, openEditor } from './page-setup-forms.js';
import { projectKind, lotKind, contractorKind, userKind, milestoneKind } from './page-setup-kinds.js';
import { firstRunProgress, standardMilestonesForm } from './page-setup-firstrun.js';

/** The sections, in the order of the tabs; users only for admins (SPEC 4). */
const SECTIONS = [
  { key: 'projects', label: 'su.sec.projects', lead: 'su.lead.projects' },
  { key: 'lots', label: 'su.sec.lots', lead: 'su.lead.lots', perProject: true },
  { key: 'contractors', label: 'su.sec.contractors', lead: 'su.lead.contractors' },
  { key: 'users', label: 'su.sec.users', lead: 'su.lead.users', admin: true },
  { key: 'milestones', label: 'su.sec.milestones', lead: 'su.lead.milestones', perProject: true },
];

export async function render(el, ctx) {
  const admin = ctx.user.role === 'admin';
  const sections = SECTIONS.filter((s) => !s.admin || admin);
  const key = ctx.params.section || 'projects';
  const section = sections.find((s) => s.key === key);
  el.append(h('h1', t('su.title')), tabs(sections, key));
  if (!section) {
    const known = SECTIONS.some((s) => s.key === key);
    el.append(messageBox(known ? 'warn' : 'error', t(known ? 'su.adminOnly' : 'su.noSection')));
    return;
  }
  const notice = h('div.setup-notice');
  const body = h('section.setup-section', { 'aria-labelledby': 'su-h2' },
    h('h2#su-h2', t(section.label)), h('p.lead', t(section.lead)), h('p.loading', t('c.loading')));
  el.append(notice, body);

  // the first run, if it is not finished: a way back into it (its steps come from the data)
  firstRunProgress(ctx.user, ctx.signal).then((p) => {
    if (!p || p.finished) return;
    notice.replaceChildren(h('div.msg.msg-info', { role: 'status' },
      h('p', p.project ? t('su.fr.unfinished', { step: t(p.next.label), n: p.next.n }) : t('su.fr.notStarted')),
      h('p', h('a.btn.btn-primary', { href: '#/setup/first-run' }, t(p.project ? 'su.fr.continue2' : 'su.fr.start')))));
  }).catch(() => { /* the notice is a convenience; the section says what is wrong */ });

  try {
    await SECTION_RENDER[section.key](body, ctx);
  } catch (err) {
    if (err.name === 'AbortError') return;
    body.querySelector('.loading')?.replaceWith(errorBox(err, 'su.what.setup', retryPage));
  }
}

function tabs(sections, current) {
  return h('nav.setup-tabs', { 'aria-label': t('su.sections') },
    h('ul', sections.map((s) => h('li', h('a', {
      href: `#/setup/${s.key}`,
      id: `su-tab-${s.key}`,
      'aria-current': s.key === current ? 'page' : null,
    }, t(s.label))))));
}

/** The project a per-project section shows: ?project=ID, else the current one, else the first. */
function pickProject(projects, ctx) {
  const want = Number(ctx.query.get('project')) || ctx.project;
  return projects.find((p) => p.id === want) || projects[0] || null;
}

function projectPicker(projects, project, section, ctx) {
  const sel = h('select#su-project', { name: 'project' },
    projects.map((p) => h('option', { value: String(p.id), selected: p.id === project.id }, `${p.code} — ${p.name}`)));
  sel.addEventListener('change', () => {
    ctx.app.setCurrentProject(Number(sel.value));
    ctx.app.navigate(`/setup/${section}?project=${sel.value}`);
  });
  return h('div.field.field-inline', h('label', { for: 'su-project' }, t('c.project')), sel);
}

/** The toolbar over a list: the "New …" button. */
function toolbar(label, onClick, ...more) {
  const btn = h('button.btn.btn-primary', { type: 'button', id: 'su-new' }, label);
  btn.addEventListener('click', (e) => onClick(e.currentTarget));
  return h('p.actions.setup-toolbar', btn, ...more);
}

function editButton(kind, o, onClick) {
  return h('button.btn', {
    type: 'button', 'aria-label': t('su.editLabel', { name: kind.name(o) }),
    onclick: (e) => onClick(o, e.currentTarget),
  }, t('su.edit'));
}

/** A section's list plus its dialog: new objects appear in the table, edits replace their row. */
function listWithEditor(body, ctx, kind, items, { id, caption, fixed = {}, extraActions = null, emptyText, newLabel, onChange = () => {} }) {
  let table = null;
  const rowButton = (id) => table.rowOf(id)?.querySelector('button');
  const edit = (o, opener) => openEditor(kind, {
    host: body, obj: o, opener, lock: kind.lockFor ? kind.lockFor(o) : [],
    refocus: () => rowButton(o.id) || document.getElementById('su-new'),
    onSaved: (saved) => { table.upsert(saved); onChange(); return rowButton(saved.id); },
    onDeleted: (gone) => { table.remove(gone.id); onChange(); },
  });
  table = objectTable({
    id,
    caption,
    columns: kind.columns,
    items,
    sort: kind.sort,
    search: kind.search,
    emptyText,
    actions: (o) => [editButton(kind, o, edit), extraActions ? extraActions(o, table) : null],
  });
  const bar = toolbar(newLabel, (opener) => openEditor(kind, {
    host: body, opener, fixed,
    onSaved: (saved) => { table.upsert(saved); onChange(); return rowButton(saved.id); },
  }));
  return { table, bar, edit };
}

const SECTION_RENDER = {
  async projects(body, ctx) {
    const projects = await api.listAll('projects', {}, null, { signal: ctx.signal });
    const kind = projectKind();
    const { table, bar } = listWithEditor(body, ctx, kind, projects, {
      id: 'su-projects', emptyText: t('c.noProject'), newLabel: t('su.new.project'), caption: t('su.sec.projects'),
    });
    body.querySelector('.loading').replaceWith(bar, table.el);
  },

  async lots(body, ctx) {
    const [projects, contractors] = await Promise.all([
      api.listAll('projects', {}, null, { signal: ctx.signal }),
      api.listAll('contractors', {}, null, { signal: ctx.signal }),
    ]);
    const project = pickProject(projects, ctx);
    if (!project) { body.querySelector('.loading').replaceWith(noProject()); return; }
    const lots = await api.listAll('lots', { project_id: project.id }, null, { signal: ctx.signal });
    const kind = lotKind({ contractors });
    const { table, bar } = listWithEditor(body, ctx, kind, lots, {
      id: 'su-lots', fixed: { project_id: project.id }, emptyText: t('su.empty.lots'), newLabel: t('su.new.lot'), caption: t('su.sec.lots'),
    });
    body.querySelector('.loading').replaceWith(projectPicker(projects, project, 'lots', ctx), bar, table.el);
  },

  async contractors(body, ctx) {
    const [contractors, lots, projects] = await Promise.all([
      api.listAll('contractors', {}, null, { signal: ctx.signal }),
      api.listAll('lots', {}, null, { signal: ctx.signal }),
      api.listAll('projects', {}, null, { signal: ctx.signal }),
    ]);
    const kind = contractorKind({ lots, projects });
    const { table, bar } = listWithEditor(body, ctx, kind, contractors, {
      id: 'su-contractors', emptyText: t('su.empty.contractors'), newLabel: t('su.new.contractor'), caption: t('su.sec.contractors'),
    });
    body.querySelector('.loading').replaceWith(bar, table.el);
  },

  async users(body, ctx) {
    const [users, contractors] = await Promise.all([
      api.listAll('users', {}, null, { signal: ctx.signal }),
      api.listAll('contractors', {}, null, { signal: ctx.signal }),
    ]);
    const kind = userKind({ contractors }, ctx.user);
    const showOff = h('input#su-inactive', { type: 'checkbox' });
    const roleFilter = h('select#su-role', h('option', { value: '' }, t('c.all')),
      ['admin', 'manager', 'finance', 'contractor'].map((r) => h('option', { value: r }, t(`role.${r}`))));
    let all = users;
    const status = h('div.form-status', { 'aria-live': 'polite' });
    const visible = () => all.filter((u) => (showOff.checked || u.active) && (!roleFilter.value || u.role === roleFilter.value));
    const { table, bar } = listWithEditor(body, ctx, kind, visible(), {
      id: 'su-users', emptyText: t('su.empty.users'), newLabel: t('su.new.user'), caption: t('su.sec.users'),
      extraActions: (u) => (u.id === ctx.user.id ? null : activeButton(u)),
    });
    // the table's own upsert keeps a row that filters would now hide; keep `all` in step
    const upsert = table.upsert;
    table.upsert = (u) => {
      all = all.some((x) => x.id === u.id) ? all.map((x) => (x.id === u.id ? u : x)) : [...all, u];
      upsert(u);
    };
    const refilter = () => table.set(visible());
    showOff.addEventListener('change', refilter);
    roleFilter.addEventListener('change', refilter);

    /** Deactivate / reactivate: PATCH active with If-Match, in place. */
    function activeButton(u) {
      const btn = h('button.btn', {
        type: 'button',
        'aria-label': t(u.active ? 'su.deactivateLabel' : 'su.reactivateLabel', { name: kind.name(u) }),
      }, t(u.active ? 'su.deactivate' : 'su.reactivate'));
      btn.addEventListener('click', async () => {
        btn.disabled = true;
        try {
          const saved = await api.patch(`users/${u.id}`, { active: !u.active }, { headers: { 'If-Match': `"${u.version}"` } });
          table.upsert(saved);
          announce(t(saved.active ? 'su.reactivated' : 'su.deactivated', { name: kind.name(saved) }));
          table.rowOf(saved.id)?.querySelectorAll('td.actions button')[1]?.focus();
        } catch (err) {
          btn.disabled = false;
          if (err.status === 412) {
            try { table.upsert(await api.get(`users/${u.id}`)); } catch { /* the message says enough */ }
            status.replaceChildren(messageBox('warn', t('su.changedMeanwhile', { name: kind.name(u) })));
          } else {
            status.replaceChildren(errorBox(err, 'su.what.user'));
          }
        }
      });
      return btn;
    }
    body.querySelector('.loading').replaceWith(
      bar,
      h('div.filters.setup-filters',
        h('div.field', h('label', { for: 'su-role' }, t('su.f.role')), roleFilter),
        h('div.field.field-check', showOff, h('label', { for: 'su-inactive' }, t('su.showInactive')))),
      status,
      table.el);
  },

  async milestones(body, ctx) {
    const projects = await api.listAll('projects', {}, null, { signal: ctx.signal });
    const project = pickProject(projects, ctx);
    if (!project) { body.querySelector('.loading').replaceWith(noProject()); return; }
    const items = await api.listAll('milestones', { project_id: project.id }, null, { signal: ctx.signal });
    const kind = milestoneKind();
    const standard = h('div.setup-standard');
    const { table, bar } = listWithEditor(body, ctx, kind, items, {
      id: 'su-milestones', fixed: { project_id: project.id }, emptyText: t('su.empty.milestones'), newLabel: t('su.new.milestone'), caption: t('su.sec.milestones'),
      onChange: () => offer(),
    });
    // a project without milestones is offered the standard funding milestones, as in the first run
    function offer() {
      if (table.items().length) { standard.replaceChildren(); return; }
      standard.replaceChildren(h('h3', t('su.std.title')), standardMilestonesForm(project, {
        prefix: 'su-std',
        onCreated: (created) => { for (const m of created) table.upsert(m); offer(); },
      }));
    }
    offer();
    body.querySelector('.loading').replaceWith(projectPicker(projects, project, 'milestones', ctx),
      h('p', h('a', { href: `#/projects/${project.id}/milestones` }, t('su.openMilestones'))),
      bar, standard, table.el);
  },
};

function noProject() {
  return messageBox('info', t('su.needProject'), h('p', h('a', { href: '#/setup/projects' }, t('su.sec.projects'))));
}
