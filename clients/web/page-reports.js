// page-reports.js — report downloads: progress.xlsx (for the funding agency),
// costs.xlsx (payment request) and the GeoJSON export. Downloads are fetched
// with the bearer token and handed over as a Blob link.

import * as api from './api.js';
import { h, today, errorBox, messageBox, field, showFieldErrors, clearFieldErrors, announce, retryPage } from './ui.js';
import { resolveProject, projectPicker } from './page-home.js';

function quarterStart() {
  const d = new Date();
  const m = Math.floor(d.getMonth() / 3) * 3;
  return `${d.getFullYear()}-${String(m + 1).padStart(2, '0')}-01`;
}

function size(n) {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} kB`;
}

export async function render(el, ctx) {
  el.append(h('h1', 'Reports'), h('p.loading', 'Loading…'));
  let projects, project;
  try {
    ({ projects, project } = await resolveProject(ctx));
  } catch (err) {
    el.querySelector('.loading').replaceWith(errorBox(err, 'the project', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!project) { el.append(h('p', 'There is no project yet.')); return; }
  el.querySelector('h1').textContent = `Reports: ${project.code}`;
  const lang = (id) => h(`select#${id}`, { name: 'lang' },
    h('option', { value: 'de' }, 'Deutsch'), h('option', { value: 'en' }, 'English'));

  el.append(
    projectPicker(projects, project, '/reports', ctx.app.navigate),
    h('p.lead', `${project.name} · ${project.grant_reference || ''}`),
    h('div.report-grid',
      reportCard({
        id: 'progress',
        title: 'Progress report (Excel)',
        text: 'For the funding agency: cover, key figures with charts, milestones, segments, premises, contractors and costs, as of a date.',
        fields: [
          field('As of', h('input#rp-as-of', { type: 'date', name: 'as_of', value: today(), max: today() })),
          field('Language', lang('rp-lang')),
        ],
        path: `projects/${project.id}/reports/progress.xlsx`,
        fallback: `${project.code}-progress.xlsx`,
        missing: true,
      }),
      reportCard({
        id: 'costs',
        title: 'Cost report (Excel)',
        text: 'For the payment request (Mittelabruf): invoices of the period, totals by category and lot, eligible cost against budget and the amounts to claim.',
        fields: [
          field('From', h('input#rc-from', { type: 'date', name: 'from', value: quarterStart(), max: today() })),
          field('To', h('input#rc-to', { type: 'date', name: 'to', value: today(), max: today() })),
          field('Language', lang('rc-lang')),
        ],
        path: `projects/${project.id}/reports/costs.xlsx`,
        fallback: `${project.code}-costs.xlsx`,
        missing: true,
      }),
      reportCard({
        id: 'geojson',
        title: 'Network export (GeoJSON)',
        text: 'Nodes, segments and premises with their current status, for QGIS or ogr2ogr.',
        fields: [],
        path: `projects/${project.id}/export.geojson`,
        fallback: `${project.code}.geojson`,
      }),
    ),
  );

  function reportCard({ id, title, text, fields, path, fallback, missing = false }) {
    const button = h('button.btn.btn-primary', { type: 'submit', id: `dl-${id}` }, 'Download');
    const out = h('div.form-status', { 'aria-live': 'polite', id: `out-${id}` });
    const form = h('form.card.report', { novalidate: true, 'aria-labelledby': `h-${id}` },
      h('h2', { id: `h-${id}` }, title), h('p', text), fields, h('p.actions', button), out);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFieldErrors(form);
      out.replaceChildren();
      const params = {};
      for (const input of form.querySelectorAll('input, select')) params[input.name] = input.value;
      if (params.from && params.to && params.from > params.to) {
        showFieldErrors(form, { errors: [{ pointer: '/to', detail: 'The end of the period is before its start.' }] });
        return;
      }
      button.disabled = true;
      button.textContent = 'Preparing…';
      try {
        const r = await api.download(path, params, fallback);
        const msg = `Downloaded ${r.filename} (${size(r.size)}).`;
        out.append(messageBox('ok', msg));
        announce(msg);
      } catch (err) {
        if (err.status === 404 && missing) {
          out.append(messageBox('warn',
            'This report is not available on this server yet (it answered “not found”). Ask your administrator for an update; meanwhile the GeoJSON export works.'));
        } else if (err.status === 422 || err.status === 400) {
          const rest = showFieldErrors(form, err);
          out.append(messageBox('error', err.errors.length
            ? ['Please correct the highlighted fields.', ...rest].join(' ')
            : `The server did not accept these values: ${err.detail || 'please check them'}.`));
        } else {
          out.append(errorBox(err, 'this report'));
        }
      } finally {
        button.disabled = false;
        button.textContent = 'Download';
      }
    });
    return form;
  }
}
