// page-reports.js — report downloads: progress.xlsx (for the funding agency),
// costs.xlsx (payment request) and the GeoJSON export. Downloads are fetched
// with the bearer token and handed over as a Blob link.

import * as api from './api.js';
import { h, fmt, today, errorBox, messageBox, field, showFieldErrors, clearFieldErrors, announce, retryPage } from './ui.js';
import { t, lang as uiLang, serverText } from './i18n.js';
import { resolveProject, projectPicker } from './page-home.js';

function quarterStart() {
  const d = new Date();
  const m = Math.floor(d.getMonth() / 3) * 3;
  return `${d.getFullYear()}-${String(m + 1).padStart(2, '0')}-01`;
}

export async function render(el, ctx) {
  el.append(h('h1', t('rp.title')), h('p.loading', t('c.loading')));
  let projects, project;
  try {
    ({ projects, project } = await resolveProject(ctx));
  } catch (err) {
    el.querySelector('.loading').replaceWith(errorBox(err, 'what.project', retryPage));
    return;
  }
  el.querySelector('.loading').remove();
  if (!project) { el.append(h('p', t('c.noProject'))); return; }
  el.querySelector('h1').textContent = t('rp.titleOf', { code: project.code });
  const lang = (id) => h(`select#${id}`, { name: 'lang' },
    ['de', 'en'].map((l) => h('option', { value: l, lang: l, selected: l === uiLang() }, t(`lang.${l}`))));

  el.append(
    projectPicker(projects, project, '/reports', ctx.app.navigate),
    h('p.lead', `${project.name} · ${project.grant_reference || ''}`),
    h('div.report-grid',
      reportCard({
        id: 'progress',
        title: t('rp.progress'),
        text: t('rp.progressText'),
        fields: [
          field(t('rp.asOf'), h('input#rp-as-of', { type: 'date', name: 'as_of', value: today(), max: today() })),
          field(t('rp.language'), lang('rp-lang')),
        ],
        path: `projects/${project.id}/reports/progress.xlsx`,
        fallback: `${project.code}-progress.xlsx`,
        missing: true,
      }),
      reportCard({
        id: 'costs',
        title: t('rp.costs'),
        text: t('rp.costsText'),
        fields: [
          field(t('rp.from'), h('input#rc-from', { type: 'date', name: 'from', value: quarterStart(), max: today() })),
          field(t('rp.to'), h('input#rc-to', { type: 'date', name: 'to', value: today(), max: today() })),
          field(t('rp.language'), lang('rc-lang')),
        ],
        path: `projects/${project.id}/reports/costs.xlsx`,
        fallback: `${project.code}-costs.xlsx`,
        missing: true,
      }),
      reportCard({
        id: 'geojson',
        title: t('rp.geojson'),
        text: t('rp.geojsonText'),
        fields: [],
        path: `projects/${project.id}/export.geojson`,
        fallback: `${project.code}.geojson`,
      }),
    ),
  );

  function reportCard({ id, title, text, fields, path, fallback, missing = false }) {
    const button = h('button.btn.btn-primary', { type: 'submit', id: `dl-${id}` }, t('rp.download'));
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
        showFieldErrors(form, { errors: [{ pointer: '/to', detail: t('rp.periodBad') }] });
        return;
      }
      button.disabled = true;
      button.textContent = t('rp.preparing');
      try {
        const r = await api.download(path, params, fallback);
        const msg = t('rp.downloaded', { file: r.filename, size: fmt.bytes(r.size) });
        out.append(messageBox('ok', msg));
        announce(msg);
      } catch (err) {
        if (err.status === 404 && missing) {
          out.append(messageBox('warn', t('rp.missing')));
        } else if (err.status === 422 || err.status === 400) {
          const rest = showFieldErrors(form, err);
          out.append(messageBox('error', err.errors.length
            ? [t('c.fixFields'), ...rest].join(' ')
            : t('rp.notAccepted', { detail: err.detail ? serverText(err.detail) : t('rp.pleaseCheck') })));
        } else {
          out.append(errorBox(err, 'what.report'));
        }
      } finally {
        button.disabled = false;
        button.textContent = t('rp.download');
      }
    });
    return form;
  }
}
