// page-home.js — the start page for staff: what needs attention this week,
// then the project's key figures.

import * as api from './api.js';
import { h, fmt, errorBox, stateBadge, messageBox, retryPage } from './ui.js';
import { kpiCards, statusBar } from './kpi.js';
import { t } from './i18n.js';

export async function resolveProject(ctx) {
  const projects = await api.get('projects', { limit: 1000 }, { signal: ctx.signal });
  const want = Number(ctx.params.id) || ctx.project;
  const project = projects.items.find((p) => p.id === want) || projects.items[0] || null;
  return { projects: projects.items, project };
}

/** resolveProject, with the project's lots and every contractor (for filters and forms). */
export async function resolveProjectParties(ctx) {
  const { projects, project } = await resolveProject(ctx);
  if (!project) return { projects, project, lots: [], contractors: [] };
  const [lots, contractors] = await Promise.all([
    api.listAll('lots', { project_id: project.id }, null, { signal: ctx.signal }),
    api.listAll('contractors', {}, null, { signal: ctx.signal }),
  ]);
  return { projects, project, lots, contractors };
}

/** A project picker (only when there is more than one project). */
export function projectPicker(projects, project, pageSuffix, navigate) {
  if (projects.length < 2) return document.createDocumentFragment();
  const sel = h('select#project-picker', { name: 'project' },
    projects.map((p) => h('option', { value: String(p.id), selected: p.id === project.id }, `${p.code} — ${p.name}`)));
  sel.addEventListener('change', () => navigate(`/projects/${sel.value}${pageSuffix}`));
  return h('div.field.field-inline', h('label', { for: 'project-picker' }, t('c.project')), sel);
}

export async function render(el, ctx) {
  const { user } = ctx;
  el.append(h('h1', t('home.title')), h('p.loading', t('home.loadingProject')));
  let projects, project;
  try {
    ({ projects, project } = await resolveProject(ctx));
  } catch (err) {
    el.querySelector('.loading').replaceWith(errorBox(err, 'what.projectList', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!project) {
    el.append(messageBox('info', t('c.noProject')));
    return;
  }
  ctx.app.setCurrentProject(project.id);
  el.querySelector('h1').textContent = t('home.titleOf', { code: project.code });
  el.append(
    h('p.lead', project.name, ' · ', project.municipality || '', ' · ', h('span', fmt.enum('project_status', project.status))),
    projectPicker(projects, project, '', ctx.app.navigate),
  );

  const attention = h('section.attention', { 'aria-labelledby': 'att-h' },
    h('h2#att-h', t('home.attention')), h('p.loading', t('c.loading')));
  const figures = h('section', { 'aria-labelledby': 'kpi-h' }, h('h2#kpi-h', t('home.figures')), h('p.loading', t('c.loading')));
  el.append(attention, figures);

  const reviewer = user.role === 'admin' || user.role === 'manager';
  const [summary, ms, queue] = await Promise.allSettled([
    api.get(`projects/${project.id}/summary`, null, { signal: ctx.signal }),
    api.listAll('milestones', { project_id: project.id }, null, { signal: ctx.signal }),
    reviewer ? api.get('progress-reports', { state: 'submitted', limit: 100 }, { signal: ctx.signal }) : Promise.resolve(null),
  ]);

  // ---- needs attention: the review queue and the late / at-risk milestones ----
  const att = [];
  const tiles = h('div.tiles');
  if (reviewer) {
    if (queue.status === 'fulfilled') {
      const n = queue.value.items.length;
      const more = queue.value.next_cursor ? '+' : '';
      tiles.append(h('a.tile' + (n ? '.tile-warn' : '.tile-ok'), { href: '#/review', id: 'tile-review' },
        h('span.tile-num', `${fmt.int(n)}${more}`), h('span.tile-label', t('home.reviewTile', { n }))));
      ctx.app.setReviewCount(n + (more ? 100 : 0));
    } else {
      att.push(errorBox(queue.reason, 'what.reviewQueue'));
    }
  }
  let lateList = null;
  if (ms.status === 'fulfilled') {
    const late = ms.value.filter((m) => m.state === 'late');
    const risk = ms.value.filter((m) => m.state === 'at_risk');
    tiles.append(
      h('a.tile' + (late.length ? '.tile-bad' : '.tile-ok'), { href: `#/projects/${project.id}/milestones`, id: 'tile-late' },
        h('span.tile-num', fmt.int(late.length)), h('span.tile-label', t('home.lateTile', { n: late.length }))),
      h('a.tile' + (risk.length ? '.tile-warn' : '.tile-ok'), { href: `#/projects/${project.id}/milestones` },
        h('span.tile-num', fmt.int(risk.length)), h('span.tile-label', t('home.riskTile'))),
    );
    const todo = [...late, ...risk].sort((a, b) => (a.planned_date || '').localeCompare(b.planned_date || ''));
    if (todo.length) {
      lateList = h('div.table-wrap', h('table.table.table-cards#late-milestones',
        h('caption', t('home.lateCaption')),
        h('thead', h('tr', h('th', { scope: 'col' }, t('c.milestone')), h('th', { scope: 'col' }, t('c.planned')),
          h('th', { scope: 'col' }, t('c.forecast')), h('th', { scope: 'col' }, t('c.state')))),
        h('tbody', todo.map((m) => h('tr',
          h('th', { scope: 'row' }, m.name, m.funding_relevant ? h('span.tag', t('home.fundingTag')) : null),
          h('td', { 'data-label': t('c.planned') }, fmt.date(m.planned_date)),
          h('td', { 'data-label': t('c.forecast') }, fmt.date(m.forecast_date)),
          h('td', { 'data-label': t('c.state') }, stateBadge(m.state), m.variance_days > 0 ? h('span.small', ` ${t('c.days', { n: m.variance_days })}`) : null)))),
      ));
    }
  } else {
    att.push(errorBox(ms.reason, 'what.milestones'));
  }
  attention.querySelector('.loading').replaceWith(tiles, ...att, lateList || h('p.small', t('home.noLate')));

  // ---- key figures ----
  if (summary.status === 'fulfilled') {
    const s = summary.value;
    figures.querySelector('.loading').replaceWith(
      h('p.small', t('home.asOf', { date: fmt.date(s.as_of) })),
      kpiCards(s, { costs: user.role !== 'contractor' }),
      statusBar(s.segments_by_status || {}),
      h('p', h('a.btn', { href: `#/projects/${project.id}/map` }, t('home.openMap'))),
    );
  } else {
    figures.querySelector('.loading').replaceWith(errorBox(summary.reason, 'what.summary'));
  }
}
