// page-audit.js — the audit viewer (#/audit): who changed what and when,
// newest first, with filters by object, user, action, days and request; each
// entry shows the fields that changed (before → after, formatted and in
// words) and the full record as JSON on request. The filters live in the
// URL (#/audit?entity=milestone&entity_id=5&from=2026-11-01), so a view can
// be reloaded, bookmarked and sent to a colleague.

import * as api from './api.js';
import { h, fmt, errorBox, messageBox, statusLabel, stateLabel, retryPage, field, announce } from './ui.js';
import { t, has, lang, locale, parseDate } from './i18n.js';

const PAGE = 50;
const ZONE = 'Europe/Berlin'; // the municipality's days and times, whatever the browser's zone

const ACTIONS = {
  create: 'au.a.create', update: 'au.a.update', delete: 'au.a.delete', approve: 'au.a.approve', reject: 'au.a.reject',
  accept: 'au.a.accept', import: 'au.a.import', login: 'au.a.login', logout: 'au.a.logout',
  submit: 'au.a.submit', receive: 'au.a.receive',
};

// What the server writes entries about (the `entity` column), and how each is called.
const ENTITIES = {
  project: 'au.e.project', contractor: 'au.e.contractor', lot: 'au.e.lot', node: 'au.e.node', segment: 'au.e.segment',
  premise: 'au.e.premise', milestone: 'au.e.milestone', invoice: 'au.e.invoice', progress_report: 'au.e.progress_report',
  attachment: 'au.e.attachment', user: 'au.e.user', token: 'au.e.token',
  budget_line: 'au.e.budget_line', drawdown: 'au.e.drawdown', report_note: 'au.e.report_note',
};

// The fields of the objects: a label, and how a value is shown (default: as text).
const FIELDS = {
  name: ['au.f.name'], code: ['au.f.code'], email: ['au.f.email'], role: ['au.f.role', 'role'], active: ['au.f.active', 'bool'],
  project_id: ['c.project', 'ref'], lot_id: ['c.lot', 'ref'], contractor_id: ['c.contractor', 'ref'],
  segment_id: ['c.segment', 'ref'], segment_code: ['c.segment'], serving_segment_id: ['au.f.serving_segment_id', 'ref'],
  from_node_id: ['au.f.from_node_id', 'ref'], to_node_id: ['au.f.to_node_id', 'ref'], user_id: ['au.f.user', 'ref'],
  author_id: ['au.f.author_id', 'ref'], reviewer_id: ['au.f.reviewer_id', 'ref'], accepted_by: ['au.f.accepted_by', 'ref'],
  uploaded_by: ['au.f.uploaded_by', 'ref'], progress_report_id: ['au.e.progress_report', 'ref'],
  kind: ['au.f.kind', 'kind'], method: ['au.f.method', 'enum:method'], surface: ['au.f.surface', 'enum:surface'],
  status: ['c.status', 'status'], state: ['c.state', 'state'],
  planned_length_m: ['au.f.planned_length_m', 'm'], built_length_m: ['au.f.built_length_m', 'm'], progress: ['au.f.progress', 'frac'],
  fiber_count: ['au.f.fiber_count', 'int'], duct_type: ['au.f.duct_type'],
  duct_type_code: ['au.f.duct_type_code', 'int'], laying_depth_m: ['au.f.laying_depth_m', 'm'], co_laying: ['au.f.co_laying', 'enum:co_laying'],
  geometry: ['au.f.geometry', 'geometry'],
  street: ['au.f.street'], house_number: ['au.f.house_number'], postcode: ['au.f.postcode'], city: ['au.f.city'],
  lat: ['au.f.lat', 'coord'], lon: ['au.f.lon', 'coord'],
  planned_start: ['au.f.planned_start', 'date'], planned_end: ['au.f.planned_end', 'date'],
  actual_start: ['au.f.actual_start', 'date'], actual_end: ['au.f.actual_end', 'date'],
  planned_date: ['c.planned', 'date'], forecast_date: ['c.forecast', 'date'], actual_date: ['c.actual', 'date'],
  funding_relevant: ['au.f.funding_relevant', 'bool'], tranche_cents: ['au.f.tranche_cents', 'eur'], variance_days: ['au.f.variance_days', 'days'],
  notes: ['c.notes'], note: ['au.f.note'], status_reason: ['au.f.reason'], reason: ['au.f.reason'],
  budget_cents: ['au.f.budget_cents', 'eur'], contract_value_cents: ['au.f.contract_value_cents', 'eur'],
  net_cents: ['au.f.net_cents', 'eur'], vat_cents: ['au.f.vat_cents', 'eur'], eligible_cents: ['au.f.eligible_cents', 'eur'],
  federal_rate: ['au.f.federal_rate', 'frac'], state_rate: ['au.f.state_rate', 'frac'],
  municipality: ['au.f.municipality'], funding_programme: ['au.f.funding_programme'], grant_reference: ['au.f.grant_reference'],
  start_date: ['au.f.start_date', 'date'], planned_end_date: ['au.f.planned_end', 'date'], auto_approve: ['au.f.auto_approve', 'bool'],
  vat_id: ['au.f.vat_id'], phone: ['au.f.phone'],
  units_residential: ['au.f.units_residential', 'int'], units_business: ['au.f.units_business', 'int'],
  white_spot: ['au.f.white_spot', 'bool'], bandwidth_before_mbps: ['au.f.bandwidth_before_mbps', 'num'],
  passed_date: ['au.f.passed_date', 'date'], connected_date: ['au.f.connected_date', 'date'],
  activated_date: ['au.f.activated_date', 'date'], excluded_date: ['au.f.excluded_date', 'date'],
  exclusion_reason: ['au.f.exclusion_reason'],
  report_date: ['au.f.report_date', 'date'], reviewed_at: ['au.f.reviewed_at', 'time'], review_comment: ['au.f.review_comment'],
  accepted_on: ['au.f.accepted_on', 'date'], acceptance_note: ['au.f.acceptance_note'],
  number: ['au.f.number'], invoice_date: ['au.f.invoice_date', 'date'], category: ['au.f.category', 'category'], paid_date: ['au.f.paid_date', 'date'],
  prefix: ['au.f.prefix'], expires_at: ['au.f.expires_at', 'time'], last_used_at: ['au.f.last_used_at', 'time'],
  revoked_at: ['au.f.revoked_at', 'time'],
  file_name: ['au.f.file_name'], media_type: ['au.f.media_type'], size: ['au.f.size', 'bytes'], caption: ['au.f.caption'],
  taken_at: ['au.f.taken_at', 'time'], distance_m: ['au.f.distance_m', 'm'],
  segments: ['c.segments', 'int'], premises: ['c.premises', 'int'], nodes: ['au.f.nodes', 'int'],
  year: ['au.f.year'], planned_cents: ['au.f.planned_cents', 'eur'], period_from: ['au.f.period_from', 'date'],
  period_to: ['au.f.period_to', 'date'], requested_at: ['au.f.requested_at', 'time'], received_at: ['au.f.received_at', 'date'],
  federal_requested_cents: ['au.f.federal_requested_cents', 'eur'], state_requested_cents: ['au.f.state_requested_cents', 'eur'],
  federal_received_cents: ['au.f.federal_received_cents', 'eur'], state_received_cents: ['au.f.state_received_cents', 'eur'],
  text: ['au.f.text'],
};
// Invoice and budget categories, and the states of a drawdown (Mittelabruf).
const CATEGORIES = {
  civil_works: 'au.cat.civil_works', cabling: 'au.cat.cabling', splicing: 'au.cat.splicing', planning: 'au.cat.planning',
  materials: 'au.cat.materials', other: 'au.cat.other',
};
const DRAWDOWN_STATES = { draft: 'au.dd.draft', submitted: 'au.dd.submitted', received: 'au.dd.received' };
// Bookkeeping that every change moves; it would only hide what changed.
const NOISE = new Set(['id', 'version', 'created_at', 'updated_at']);
// The kinds of `kind` by entity (enum.<x>.<value> in the catalogue).
const KINDS = { segment: 'segment_kind', premise: 'premise_kind', milestone: 'milestone_kind' };

// ---- times: days in Europe/Berlin -----------------------------------------------------

/** Minutes Europe/Berlin is ahead of UTC at an instant (60 or 120). */
function zoneOffset(ms) {
  const p = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const g = (type) => Number(p.find((x) => x.type === type).value);
  return (Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'), g('second')) - ms) / 60000;
}

/** The first instant of a day (YYYY-MM-DD) in Europe/Berlin, as RFC 3339 UTC; plusDays moves the day. */
export function dayStartUtc(iso, plusDays = 0) {
  const [y, m, d] = iso.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d + plusDays);
  // the offset at the guess, then at the instant found (a day of a clock change)
  let at = wall - zoneOffset(wall) * 60000;
  at = wall - zoneOffset(at) * 60000;
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A day (YYYY-MM-DD) as people type it: 25.11.2026, 11/25/2026. */
function dayText(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

let timeFmt = null;
function when(iso) {
  if (!timeFmt || timeFmt.loc !== locale()) {
    timeFmt = { loc: locale(), f: new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium', timeZone: ZONE }) };
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : timeFmt.f.format(d);
}

// ---- values in words ----------------------------------------------------------------------

const coordFmt = () => new Intl.NumberFormat(locale(), { maximumFractionDigits: 6 });

function label(key) {
  const f = FIELDS[key];
  return f ? t(f[0]) : key.replace(/_/g, ' ');
}

/** A field's value as people read it; entity tells which vocabulary a status or kind is from. */
function value(key, v, entity) {
  if (v === null || v === undefined || v === '') return t('au.empty');
  const how = (FIELDS[key] || [])[1];
  switch (how) {
    case 'date': return fmt.date(v);
    case 'time': return when(v);
    case 'm': return fmt.m(v);
    case 'eur': return fmt.eur(v);
    case 'frac': return fmt.frac(v);
    case 'int': return fmt.int(v);
    case 'num': return fmt.num(v);
    case 'bytes': return fmt.bytes(v);
    case 'coord': return coordFmt().format(v);
    case 'days': return t('c.days', { n: Number(v) });
    case 'ref': return `#${v}`;
    case 'bool': return v ? t('au.yes') : t('au.no');
    case 'role': return has(`role.${v}`) ? t(`role.${v}`) : String(v);
    case 'kind': return KINDS[entity] ? fmt.enum(KINDS[entity], v) : String(v).replace(/_/g, ' ');
    case 'state': return entity === 'drawdown' && DRAWDOWN_STATES[v] ? t(DRAWDOWN_STATES[v]) : stateLabel(v);
    case 'category': return CATEGORIES[v] ? t(CATEGORIES[v]) : String(v).replace(/_/g, ' ');
    case 'status':
      if (entity === 'segment') return statusLabel(v);
      if (entity === 'premise' && has(`premise.${v}`)) return t(`premise.${v}`);
      if (entity === 'project') return fmt.enum('project_status', v);
      return String(v).replace(/_/g, ' ');
    case 'geometry': {
      const n = v && Array.isArray(v.coordinates) ? v.coordinates.length : 0;
      return t('au.points', { n });
    }
    default:
      if (how && how.startsWith('enum:')) return fmt.enum(how.slice(5), v);
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields an entry changed, in a stable order: known fields first, as listed above. */
function changedFields(before, after) {
  const keys = new Set([...Object.keys(before || {}), ...Object.keys(after || {})]);
  const order = Object.keys(FIELDS);
  return [...keys]
    .filter((k) => !NOISE.has(k) && !same(before?.[k], after?.[k]))
    .sort((a, b) => ((order.indexOf(a) + 1 || 999) - (order.indexOf(b) + 1 || 999)) || a.localeCompare(b));
}

/** "Milestone „Baubeginn“ #12" */
function entityName(e) {
  const data = e.after || e.before || {};
  const kind = ENTITIES[e.entity] ? t(ENTITIES[e.entity]) : e.entity.replace(/_/g, ' ');
  const title = data.name || data.code || data.number || data.email || data.file_name || data.segment_code || null;
  return { kind, title: title && typeof title === 'string' ? title : null, data };
}

/** Where an entry's object can be seen, or null. */
function entityHref(e, data) {
  if (!e.entity_id) return null;
  switch (e.entity) {
    case 'segment': return `#/segments/${e.entity_id}`;
    case 'milestone': return data.project_id ? `#/projects/${data.project_id}/milestones` : null;
    case 'project': return `#/projects/${e.entity_id}`;
    default: return null;
  }
}

// ---- the filters in the URL ------------------------------------------------------------------

const KEYS = ['entity', 'entity_id', 'user_id', 'action', 'from', 'to', 'request_id'];

function filtersOf(query) {
  const f = {};
  for (const k of KEYS) {
    const v = (query.get(k) || '').trim();
    if (v) f[k] = v;
  }
  return f;
}

function auditHref(f) {
  const q = new URLSearchParams();
  for (const k of KEYS) if (f[k]) q.set(k, f[k]);
  const s = q.toString();
  return `#/audit${s ? `?${s}` : ''}`;
}

/** The list's query parameters for the filters (days → the instants of Europe/Berlin). */
function apiParams(f) {
  const p = { sort: '-id', limit: PAGE };
  for (const k of ['entity', 'entity_id', 'user_id', 'action', 'request_id']) if (f[k]) p[k] = f[k];
  if (f.from) p.updated_since = dayStartUtc(f.from);
  if (f.to) p.updated_before = dayStartUtc(f.to, 1);
  return p;
}

// ---- the page ------------------------------------------------------------------------------

export async function render(el, ctx) {
  const f = filtersOf(ctx.query);
  el.append(h('h1', t('au.title')), h('p.lead', t('au.lead')), h('p.loading', t('au.loading')));
  const [facets, first] = await Promise.allSettled([
    api.get('audit/facets', null, { signal: ctx.signal }),
    api.get('audit', apiParams(f), { signal: ctx.signal }),
  ]);
  if ([facets, first].some((r) => r.status === 'rejected' && r.reason && r.reason.name === 'AbortError')) return;
  el.querySelector('.loading').remove();

  const form = filterForm(f, facets.status === 'fulfilled' ? facets.value : null, ctx);
  el.append(form);
  if (facets.status === 'rejected') el.append(errorBox(facets.reason, 'au.whatFacets'));

  const count = h('p#au-count.small', { role: 'status' });
  const list = h('ol.audit-list#audit-list');
  const more = h('button.btn#au-more', { type: 'button', hidden: true }, t('c.showMore'));
  const moreStatus = h('div', { 'aria-live': 'polite' });
  el.append(h('section', { 'aria-labelledby': 'au-results-h' }, h('h2#au-results-h', t('au.results')), count, list, h('p', more), moreStatus));

  if (first.status === 'rejected') {
    count.replaceWith(errorBox(first.reason, 'au.whatList', retryPage));
    return;
  }
  const seen = new Set();
  let cursor = null;

  function add(page) {
    // Paged by position, newest first: an entry written meanwhile shifts the
    // pages by one, so the first of the next page may be one already shown.
    for (const e of page.items) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      list.append(entryItem(e));
    }
    cursor = page.next_cursor;
    more.hidden = !cursor;
    count.textContent = seen.size
      ? t(cursor ? 'au.countMore' : 'au.count', { n: seen.size })
      : t(Object.keys(f).length ? 'au.noneFiltered' : 'au.none');
  }
  add(first.value);

  more.addEventListener('click', async () => {
    more.disabled = true;
    moreStatus.replaceChildren();
    const before = seen.size;
    try {
      add(await api.get('audit', { ...apiParams(f), cursor }, { signal: ctx.signal }));
      const next = list.children[before];
      if (next) next.querySelector('.au-when')?.focus();
      announce(t('au.loaded', { n: seen.size - before }));
    } catch (err) {
      if (err.name === 'AbortError') return;
      moreStatus.append(errorBox(err, 'au.whatList'));
    } finally {
      more.disabled = false;
    }
  });
}

function filterForm(f, facets, ctx) {
  const form = h('form.filters.au-filters#au-filters', { novalidate: true });
  const opt = (v, text, cur) => h('option', { value: v, selected: v === cur }, text);

  const entities = facets ? [...facets.entities] : Object.keys(ENTITIES);
  if (f.entity && !entities.includes(f.entity)) entities.push(f.entity);
  const kindName = (x) => (ENTITIES[x] ? t(ENTITIES[x]) : x.replace(/_/g, ' '));
  entities.sort((a, b) => kindName(a).localeCompare(kindName(b), locale()));
  const entity = h('select#au-entity', { name: 'entity' }, opt('', t('c.all'), f.entity || ''),
    entities.map((x) => opt(x, kindName(x), f.entity)));

  const entityId = h('input#au-entity-id', { name: 'entity_id', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: f.entity_id || '', size: 8 });

  const users = facets ? [...facets.users] : [];
  if (f.user_id && !users.some((u) => String(u.id) === f.user_id)) users.push({ id: Number(f.user_id), name: `#${f.user_id}` });
  const names = users.reduce((m, u) => m.set(u.name, (m.get(u.name) || 0) + 1), new Map());
  const user = h('select#au-user', { name: 'user_id' }, opt('', t('c.all'), f.user_id || ''),
    users.map((u) => opt(String(u.id), names.get(u.name) > 1 ? `${u.name} (#${u.id})` : u.name, f.user_id)));

  const action = h('select#au-action', { name: 'action' }, opt('', t('c.all'), f.action || ''),
    Object.entries(ACTIONS).map(([v, key]) => opt(v, t(key), f.action)));
  // Days are typed the locale's way (parseDate); the ids carry the language, so
  // that a day typed in one language is not read in the other's order after a switch.
  const day = (name, iso) => h(`input#au-${name}-${lang()}`, {
    name, type: 'text', inputmode: 'numeric', autocomplete: 'off', value: iso ? dayText(iso) : '',
    placeholder: t('au.dateExample', { date: dayText('2026-11-25') }),
  });
  const from = day('from', f.from);
  const to = day('to', f.to);
  const request = h('input#au-request', { name: 'request_id', type: 'text', autocomplete: 'off', spellcheck: 'false', value: f.request_id || '', maxLength: 64 });
  const status = h('div.au-form-status', { 'aria-live': 'polite' });

  form.append(
    field(t('au.entity'), entity),
    field(t('au.entityId'), entityId),
    field(t('au.user'), user),
    field(t('au.action'), action),
    field(t('au.from'), from),
    field(t('au.to'), to),
    field(t('au.request'), request),
    h('div.au-form-actions',
      h('button.btn.btn-primary', { type: 'submit' }, t('au.apply')),
      Object.keys(f).length ? h('a.btn.btn-quiet', { href: '#/audit' }, t('au.clear')) : null),
    status,
  );

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    for (const p of form.querySelectorAll('.field-error')) p.remove();
    for (const i of form.querySelectorAll('[aria-invalid]')) { i.removeAttribute('aria-invalid'); i.removeAttribute('aria-describedby'); }
    status.replaceChildren();
    const bad = [];
    const next = {
      entity: entity.value, entity_id: entityId.value.trim(), user_id: user.value, action: action.value,
      from: parseDate(from.value), to: parseDate(to.value), request_id: request.value.trim(),
    };
    if (next.entity_id && !/^[1-9]\d{0,17}$/.test(next.entity_id)) bad.push([entityId, t('au.badId')]);
    for (const [input, k] of [[from, 'from'], [to, 'to']]) {
      if (next[k] !== null && typeof next[k] !== 'string') {
        bad.push([input, t('au.badDate', { date: dayText('2026-11-25') })]);
        next[k] = null;
      }
    }
    if (next.from && next.to && next.from > next.to) bad.push([to, t('au.toBeforeFrom')]);
    if (next.request_id && !/^[A-Za-z0-9._-]{1,64}$/.test(next.request_id)) bad.push([request, t('au.badRequest')]);
    if (bad.length) {
      for (const [input, text] of bad) {
        const id = `${input.id}-error`;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', id);
        input.closest('.field').append(h('p.field-error', { id }, text));
      }
      status.append(messageBox('error', t('c.fixFields')));
      bad[0][0].focus();
      return;
    }
    ctx.app.navigate(auditHref(next).slice(1));
  });
  return form;
}

function entryItem(e) {
  const { kind, title, data } = entityName(e);
  const href = entityHref(e, data);
  const id = e.entity_id ? String(e.entity_id) : '';
  const what = title ? t(id ? 'au.objTitled' : 'au.objTitledNoId', { kind, title, id }) : (id ? t('au.obj', { kind, id }) : kind);
  const actionKey = ACTIONS[e.action];
  const headId = `au-e-${e.id}`;
  const li = h('li.audit-entry', { dataset: { id: e.id, action: e.action, entity: e.entity, entityId: e.entity_id ?? '' }, 'aria-labelledby': headId });
  li.append(h('div.au-head', { id: headId },
    h('time.au-when', { datetime: e.at, tabindex: '-1' }, when(e.at)),
    h('span.au-user', e.user_name || t('au.system')),
    h(`span.badge.au-action.au-${e.action}`, actionKey ? t(actionKey) : e.action),
    href ? h('a.au-entity', { href }, what) : h('span.au-entity', what)));

  // a progress report's segment has a page of its own
  if (e.entity === 'progress_report' && data.segment_id) {
    li.append(h('p.small.au-related', h('a', { href: `#/segments/${data.segment_id}` },
      t('au.ofSegment', { code: data.segment_code || `#${data.segment_id}` }))));
  }
  li.append(changes(e));

  const links = [];
  if (id) links.push(h('a', { href: auditHref({ entity: e.entity, entity_id: id }) }, t('au.historyOf', { what: t('au.obj', { kind, id }) })));
  if (e.request_id) links.push(h('a', { href: auditHref({ request_id: e.request_id }) }, t('au.sameRequest', { id: e.request_id })));
  if (links.length) li.append(h('p.small.au-links', links.flatMap((a, i) => (i ? [' · ', a] : [a]))));

  if (e.before || e.after) {
    li.append(h('details.au-json',
      h('summary', t('au.json')),
      e.before ? h('div', h('h3.au-json-h', t('au.before')), h('pre', JSON.stringify(e.before, null, 2))) : null,
      e.after ? h('div', h('h3.au-json-h', t('au.after')), h('pre', JSON.stringify(e.after, null, 2))) : null));
  }
  return li;
}

/** What an entry changed, as a table of field, before and after (or the values of a new or deleted object). */
function changes(e) {
  if (e.action === 'login') return h('p.au-note', t('au.didLogin'));
  if (e.action === 'logout') return h('p.au-note', t('au.didLogout'));
  if (!e.before && !e.after) return h('p.au-note', t('au.noData'));
  if (!e.before || !e.after) {
    const data = e.after || e.before;
    const keys = changedFields(null, data).filter((k) => data[k] !== null && data[k] !== '');
    if (!keys.length) return h('p.au-note', t('au.noData'));
    return h('dl.au-values', { 'aria-label': t(e.after ? 'au.valuesNew' : 'au.valuesGone') },
      keys.map((k) => h('div', { dataset: { field: k } }, h('dt', label(k)), h('dd', value(k, data[k], e.entity)))));
  }
  const keys = changedFields(e.before, e.after);
  if (!keys.length) return h('p.au-note', t('au.nothingChanged'));
  return h('table.au-diff',
    h('caption.sr-only', t('au.changes')),
    h('thead', h('tr', h('th', { scope: 'col' }, t('au.field')), h('th', { scope: 'col' }, t('au.before')), h('th', { scope: 'col' }, t('au.after')))),
    h('tbody', keys.map((k) => h('tr', { dataset: { field: k } },
      h('th', { scope: 'row' }, label(k)),
      h('td.au-before', { 'data-label': t('au.before') }, h('del', value(k, e.before[k], e.entity))),
      h('td.au-after', { 'data-label': t('au.after') }, h('ins', value(k, e.after[k], e.entity)))))));
}
