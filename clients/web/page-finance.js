// page-finance.js — the Finance entry of the navigation: a project's
// invoices, their CSV import, the budget plan (Finanzierungsplan), the
// drawdowns (Mittelabrufe) and the Sachbericht, each a section of its own
// with its own route (#/projects/1/finance/budget), so that a reload, a
// shared link and Back show the same section. This module draws the frame
// (heading, project picker, the sections' links) and hands the rest to the
// section's module.

import { h, errorBox, messageBox, retryPage } from './ui.js';
import { t } from './i18n.js';
import { resolveProjectParties, projectPicker } from './page-home.js';
import { writesMoney, rate } from './finance.js';
import * as invoices from './page-invoices.js';
import * as invoiceImport from './page-invoice-import.js';
import * as budget from './page-budget.js';
import * as drawdowns from './page-drawdowns.js';
import * as notes from './page-notes.js';

/** The sections, in the order of the links; `writers` ones only for those who write invoices. */
const SECTIONS = [
  { key: 'invoices', label: 'fi.tab.invoices', mod: invoices },
  { key: 'import', label: 'fi.tab.import', mod: invoiceImport, writers: true },
  { key: 'budget', label: 'fi.tab.budget', mod: budget },
  { key: 'drawdowns', label: 'fi.tab.drawdowns', mod: drawdowns },
  { key: 'notes', label: 'fi.tab.notes', mod: notes },
];

// A section link followed from the keyboard gets the focus back once the
// new section is drawn (the old link is gone with the old page).
let focusSection = null;

export async function render(el, ctx) {
  el.append(h('h1', t('fi.title')), h('p.loading', t('fi.loading')));
  let projects, project, lots, contractors;
  try {
    ({ projects, project, lots, contractors } = await resolveProjectParties(ctx));
  } catch (err) {
    if (err.name === 'AbortError') return;
    el.querySelector('.loading').replaceWith(errorBox(err, 'fi.whatProject', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!project || (ctx.params.id && project.id !== Number(ctx.params.id))) {
    el.append(messageBox('info', project ? t('fi.noSuchProject') : t('c.noProject')));
    return;
  }
  const key = ctx.params.tab || 'invoices';
  const section = SECTIONS.find((s) => s.key === key);
  const shown = SECTIONS.filter((s) => !s.writers || writesMoney(ctx.user));
  el.querySelector('h1').textContent = t('fi.titleOf', { code: project.code });
  document.title = `${section ? t(section.label) : t('fi.title')} · ${project.code} · fibertrack`;

  lots.sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
  contractors.sort((a, b) => a.name.localeCompare(b.name));
  const base = `/projects/${project.id}/finance`;
  const links = h('ul', shown.map((s) => h('li', h('a.fi-section', {
    href: `#${base}/${s.key}`,
    id: `fi-section-${s.key}`,
    'aria-current': s.key === key ? 'page' : null,
    dataset: { section: s.key },
    onclick: () => { focusSection = s.key; },
  }, t(s.label)))));
  el.append(
    projectPicker(projects, project, `/finance/${key}`, ctx.app.navigate),
    h('p.lead', [project.name, project.grant_reference,
      project.federal_rate || project.state_rate ? t('fi.rates', { federal: rate(project.federal_rate), state: rate(project.state_rate) }) : null,
    ].filter(Boolean).join(' · ')),
    h('nav.fi-sections', { 'aria-label': t('fi.sections') }, links),
  );
  if (focusSection === key) el.querySelector(`#fi-section-${key}`).focus();
  focusSection = null;

  if (!section) {
    el.append(messageBox('error', t('fi.noSection')), h('p', h('a', { href: `#${base}/invoices` }, t('fi.toInvoices'))));
    return;
  }
  if (section.writers && !writesMoney(ctx.user)) {
    el.append(messageBox('info', t('fi.imp.notYours')));
    return;
  }
  const body = h(`section.fi-body#fi-sec-${key}`, { 'aria-labelledby': 'fi-h2' });
  el.append(body);
  const fin = {
    project,
    lots,
    contractors,
    lotById: new Map(lots.map((l) => [l.id, l])),
    contractorById: new Map(contractors.map((c) => [c.id, c])),
    base,
  };
  await section.mod.render(body, ctx, fin);
}
