// page-projects.js — every project with its key figures.

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, retryPage } from './ui.js';
import { kpiCards } from './kpi.js';
import { t } from './i18n.js';

export async function render(el, ctx) {
  el.append(h('h1', t('pj.title')), h('p.loading', t('pj.loading')));
  let projects;
  try {
    projects = await api.listAll('projects', {}, null, { signal: ctx.signal });
  } catch (err) {
    el.querySelector('.loading').replaceWith(errorBox(err, 'what.projectList', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!projects.length) {
    el.append(messageBox('info', t('c.noProject')));
    return;
  }
  const list = h('div.projects');
  el.append(list);
  for (const p of projects) {
    const body = h('div', h('p.loading', t('pj.loadingKpi')));
    const art = h('article.card.project', { 'aria-labelledby': `proj-${p.id}` },
      h('header.project-head',
        h('h2', { id: `proj-${p.id}` }, h('a', { href: `#/projects/${p.id}` }, `${p.code}`)),
        h('span.badge', fmt.enum('project_status', p.status))),
      h('p', p.name),
      h('dl.facts',
        h('div', h('dt', t('pj.municipality')), h('dd', p.municipality || '–')),
        h('div', h('dt', t('pj.programme')), h('dd', p.funding_programme || '–')),
        h('div', h('dt', t('pj.grant')), h('dd', p.grant_reference || '–')),
        h('div', h('dt', t('pj.period')), h('dd', `${fmt.date(p.start_date)} – ${fmt.date(p.planned_end_date)}`)),
        h('div', h('dt', t('pj.budget')), h('dd', fmt.eur(p.budget_cents)))),
      body,
      h('p.actions',
        h('a.btn', { href: `#/projects/${p.id}/map` }, t('nav.map')),
        h('a.btn', { href: `#/projects/${p.id}/milestones` }, t('nav.milestones')),
        h('a.btn', { href: `#/projects/${p.id}/reports` }, t('nav.reports'))),
    );
    list.append(art);
    api.get(`projects/${p.id}/summary`, null, { signal: ctx.signal })
      .then((s) => body.replaceChildren(kpiCards(s)))
      .catch((err) => { if (err.name !== 'AbortError') body.replaceChildren(errorBox(err, 'what.summary')); });
  }
}
