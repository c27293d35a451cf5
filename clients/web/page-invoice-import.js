// page-invoice-import.js — an invoice list from a spreadsheet (CSV) into
// the project: choose the file, let the server check it (a dry run: the
// whole import, rolled back), read what would be created, updated or left
// as it is and every bad line by its number, column and reason, and import
// only when the check found nothing wrong. The server imports all or
// nothing, so a file that fails changes nothing.
//
// German Excel saves "CSV (Trennzeichen-getrennt)" in Windows-1252, not
// UTF-8: a file that is not UTF-8 is read as Windows-1252 here and sent as
// UTF-8, and the page says so.

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, field, announce } from './ui.js';
import { t, lang } from './i18n.js';
import { finText, fieldLabel, categoryLabel, statusLabel, CATEGORIES, INVOICE_STATUSES, moneyExample } from './finance.js';

const MAX_BYTES = 8 * 1024 * 1024; // the server's limit for an import
const SHOW_LINES = 200; // result lines drawn at first; the rest on request

/** The file's text as UTF-8, and the encoding it was read in. */
async function readText(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/** An example file in the dashboard's language: the header people know, two invoices. */
function template(lots) {
  const lot = lots[0] ? lots[0].code : '';
  if (lang() === 'de') {
    return '\uFEFFRechnungsnummer;Rechnungsdatum;Kostenart;Netto;USt;Förderfähig;Status;bezahlt am;Los\r\n' +
      `RE-2026-001;15.09.2026;Tiefbau;12.500,00;2.375,00;12.500,00;bezahlt;30.09.2026;${lot}\r\n` +
      `RE-2026-002;01.10.2026;Material;1.234,56;234,57;1.000,00;eingegangen;;${lot}\r\n`;
  }
  return '\uFEFFnumber,invoice_date,category,net,vat,eligible,status,paid_date,lot_code\r\n' +
    `INV-2026-001,2026-09-15,civil works,12500.00,2375.00,12500.00,paid,2026-09-30,${lot}\r\n` +
    `INV-2026-002,2026-10-01,materials,1234.56,234.57,1000.00,received,,${lot}\r\n`;
}

export async function render(el, ctx, fin) {
  const { project, lots } = fin;
  const file = h('input#fi-imp-file', { type: 'file', name: 'file', accept: '.csv,.txt,text/csv,text/plain' });
  const check = h('button.btn.btn-primary#fi-imp-check', { type: 'submit', disabled: true }, t('fi.imp.check'));
  const chosen = h('p.small#fi-imp-chosen', { 'aria-live': 'polite' });
  const out = h('div#fi-imp-out', { 'aria-live': 'polite' });
  const form = h('form.card.fi-import#fi-imp-form', { novalidate: true, 'aria-labelledby': 'fi-h2' },
    field(t('fi.imp.file'), file, t('fi.imp.fileHint')), chosen, h('p.actions', check));
  const tplLink = h('button.btn.btn-quiet#fi-imp-template', { type: 'button', onclick: () => downloadTemplate() }, t('fi.imp.template'));

  el.append(
    h('h2#fi-h2', t('fi.imp.title')),
    h('p', t('fi.imp.lead')),
    h('details.fi-format#fi-imp-format',
      h('summary', t('fi.imp.formatTitle')),
      h('ul',
        h('li', t('fi.imp.fmtColumns')),
        h('li', t('fi.imp.fmtOptional')),
        h('li', t('fi.imp.fmtContractor')),
        h('li', t('fi.imp.fmtAmounts', { example: moneyExample() })),
        h('li', t('fi.imp.fmtCategories', { values: CATEGORIES.map(categoryLabel).join(', ') })),
        h('li', t('fi.imp.fmtStatus', { values: INVOICE_STATUSES.map(statusLabel).join(', ') })),
        h('li', t('fi.imp.fmtUpdate'))),
      h('p', tplLink)),
    form,
    out,
  );

  // What was checked: the text sent, so that the import sends exactly that.
  let checked = null;
  let busy = false;

  file.addEventListener('change', () => {
    checked = null;
    out.replaceChildren();
    const f = file.files[0];
    check.disabled = !f;
    chosen.textContent = f ? t('fi.imp.chosen', { name: f.name, size: fmt.bytes(f.size) }) : '';
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const f = file.files[0];
    if (!f) { out.replaceChildren(messageBox('error', t('fi.imp.noFile'))); file.focus(); return; }
    if (f.size > MAX_BYTES) { out.replaceChildren(messageBox('error', t('fi.imp.tooBig', { size: fmt.bytes(f.size) }))); return; }
    let read;
    try {
      read = await readText(f);
    } catch (err) {
      out.replaceChildren(messageBox('error', t('fi.imp.unreadable', { msg: err.message || String(err) })));
      return;
    }
    await send(read, true, f.name);
  });

  /** Sends the list: a dry run first, the import when `dry` is false. */
  async function send(read, dry, name) {
    busy = true;
    check.disabled = true;
    out.replaceChildren(h('p.loading', dry ? t('fi.imp.checking') : t('fi.imp.importing')));
    const blob = new Blob([read.text], { type: 'text/csv;charset=utf-8' });
    try {
      const { data } = await api.upload(`projects/${project.id}/invoices/import`, blob, {
        params: dry ? { dry_run: 'true' } : null, contentType: 'text/csv; charset=utf-8', signal: ctx.signal,
      });
      if (dry) showCheck(data, read, name); else showImported(data);
    } catch (err) {
      if (err.name === 'AbortError') return;
      checked = null;
      showProblems(err, dry);
    } finally {
      busy = false;
      check.disabled = !file.files[0];
    }
  }

  const note = (read) => (read.encoding === 'windows-1252' ? messageBox('info', t('fi.imp.cp1252')) : null);
  const outcomeWord = { created: 'fi.imp.wouldCreate', updated: 'fi.imp.wouldUpdate', unchanged: 'fi.imp.wouldKeep' };
  const outcomeDone = { created: 'fi.imp.didCreate', updated: 'fi.imp.didUpdate', unchanged: 'fi.imp.didKeep' };

  /** The lines of a result, each with what happens (or happened) to its invoice. */
  function resultTable(results, words, caption) {
    const body = h('tbody');
    const table = h('table.table.table-cards.fi-imp-table#fi-imp-results', h('caption', caption),
      h('thead', h('tr', h('th.num', { scope: 'col' }, t('fi.imp.line')), h('th', { scope: 'col' }, t('fi.f.number')), h('th', { scope: 'col' }, t('fi.imp.outcome')))),
      body);
    const rowOf = (r) => h('tr', { dataset: { line: r.line, outcome: r.outcome } },
      h('td.num', { 'data-label': t('fi.imp.line') }, fmt.int(r.line)),
      h('th', { scope: 'row', 'data-label': t('fi.f.number') }, r.number),
      h('td', { 'data-label': t('fi.imp.outcome') }, h(`span.badge.fi-out-${r.outcome}`, t(words[r.outcome]))));
    body.append(...results.slice(0, SHOW_LINES).map(rowOf));
    const rest = results.length - SHOW_LINES;
    const more = rest > 0 ? h('button.btn#fi-imp-more', {
      type: 'button',
      onclick: () => { body.append(...results.slice(SHOW_LINES).map(rowOf)); more.remove(); },
    }, t('fi.imp.allLines', { n: results.length })) : null;
    return [h('div.table-wrap', table), more];
  }

  function showCheck(data, read, name) {
    checked = read;
    const go = h('button.btn.btn-primary#fi-imp-go', { type: 'button', onclick: () => send(checked, false, name) },
      t('fi.imp.importBtn', { n: data.lines }));
    const again = h('button.btn#fi-imp-again', { type: 'button', onclick: () => { out.replaceChildren(); file.focus(); } }, t('fi.imp.otherFile'));
    const summary = t('fi.imp.clean', { n: data.lines, created: fmt.int(data.created), updated: fmt.int(data.updated), unchanged: fmt.int(data.unchanged) });
    out.replaceChildren(...[
      note(read),
      h('div.msg.msg-ok#fi-imp-clean', { role: 'status' }, h('p', h('strong', `${t('fi.imp.cleanHead')} `), summary), h('p', t('fi.imp.nothingYet'))),
      ...resultTable(data.results, outcomeWord, t('fi.imp.previewCaption', { name })),
      h('p.actions', go, again)].filter(Boolean));
    announce(summary);
    go.focus();
  }

  function showImported(data) {
    checked = null;
    file.value = '';
    chosen.textContent = '';
    const msg = t('fi.imp.done', { created: fmt.int(data.created), updated: fmt.int(data.updated), unchanged: fmt.int(data.unchanged) });
    const link = h('a.btn#fi-imp-list', { href: `#${fin.base}/invoices` }, t('fi.imp.toList'));
    out.replaceChildren(...[
      h('div.msg.msg-ok#fi-imp-done', { role: 'status' }, h('p', msg), h('p', link)),
      ...resultTable(data.results, outcomeDone, t('fi.imp.doneCaption'))].filter(Boolean));
    announce(msg);
    link.focus();
  }

  /** A refused list: the reason, then every bad line by number and column. */
  function showProblems(err, dry) {
    if (err.status !== 422) {
      out.replaceChildren(err.status === 413 ? messageBox('error', t('fi.imp.tooBig', { size: '' })) : errorBox(err, 'fi.whatImport'));
      return;
    }
    const lineErrors = err.errors.filter((e) => /^\/lines\//.test(e.pointer || ''));
    const header = err.errors.filter((e) => /^\/header\//.test(e.pointer || ''));
    const head = h('div.msg.msg-error#fi-imp-failed', { role: 'alert' },
      h('p', h('strong', dry ? t('fi.imp.failedCheck') : t('fi.imp.failedImport'))),
      h('p', finText(err.detail)),
      h('p', t('fi.imp.fixAndRetry')));
    const parts = [head];
    if (lineErrors.length || header.length) {
      const rows = [...header, ...lineErrors].map((e) => {
        const column = e.field ? fieldLabel(e.field) : t('fi.imp.wholeLine');
        return h('tr', { dataset: { line: e.line, field: e.field || '' } },
          h('td.num', { 'data-label': t('fi.imp.line') }, fmt.int(e.line)),
          h('td', { 'data-label': t('fi.imp.column') }, column),
          h('td', { 'data-label': t('fi.imp.problem') }, finText(e.detail)));
      });
      parts.push(h('div.table-wrap', h('table.table.table-cards.fi-imp-table#fi-imp-problems',
        h('caption', t('fi.imp.problemsCaption', { n: rows.length })),
        h('thead', h('tr', h('th.num', { scope: 'col' }, t('fi.imp.line')), h('th', { scope: 'col' }, t('fi.imp.column')), h('th', { scope: 'col' }, t('fi.imp.problem')))),
        h('tbody', rows))));
    }
    out.replaceChildren(...parts);
    file.focus();
  }

  function downloadTemplate() {
    const name = lang() === 'de' ? `Rechnungen-Vorlage-${project.code}.csv` : `invoices-template-${project.code}.csv`;
    const href = URL.createObjectURL(new Blob([template(lots)], { type: 'text/csv;charset=utf-8' }));
    const a = h('a', { href, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
    announce(t('fi.imp.templateDone', { file: name }));
  }
}
