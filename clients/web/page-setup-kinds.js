// page-setup-kinds.js — the five kinds of objects the setup edits (projects,
// lots, contractors, users, milestones): their fields as the API names them
// (server/api/inventory.c, planning.c), their columns, and the standard
// funding milestones a new project starts with.

import { h, fmt, stateBadge } from './ui.js';
import { t, has } from './i18n.js';
import { show, percent, addMonths } from './page-setup-forms.js';

const PROJECT_STATUS = ['planning', 'construction', 'completed', 'closed'];
export const ROLES = ['admin', 'manager', 'finance', 'contractor'];
export const MILESTONE_KINDS = ['funding_approval', 'tender_award', 'construction_start', 'civil_works_complete',
  'network_ready', 'interim_report', 'payment_request', 'completion_notice', 'final_report', 'custom'];

const roleName = (r) => (has(`role.${r}`) ? t(`role.${r}`) : r);
const yesNo = (v) => t(v ? 'su.yes' : 'su.no');

/** Projects: the funding project a municipality runs. */
export function projectKind() {
  const fields = [
    { key: 'code', label: 'su.f.code', type: 'text', required: true, max: 64, hint: 'su.h.projectCode' },
    { key: 'name', label: 'su.f.name', type: 'text', required: true, max: 200, wide: true },
    { key: 'municipality', label: 'su.f.municipality', type: 'text', required: true, max: 200 },
    { key: 'funding_programme', label: 'su.f.programme', type: 'text', nullable: true, max: 200 },
    { key: 'grant_reference', label: 'su.f.grant', type: 'text', nullable: true, max: 100, hint: 'su.h.grant' },
    { key: 'budget_cents', label: 'su.f.budget', type: 'money', hint: 'su.h.money' },
    { key: 'federal_rate', label: 'su.f.federalRate', type: 'percent', hint: 'su.h.rate' },
    { key: 'state_rate', label: 'su.f.stateRate', type: 'percent', hint: 'su.h.rate' },
    { key: 'start_date', label: 'su.f.start', type: 'date', nullable: true },
    { key: 'planned_end_date', label: 'su.f.plannedEnd', type: 'date', nullable: true },
    { key: 'status', label: 'su.f.status', type: 'enum', values: PROJECT_STATUS, enumKind: 'project_status' },
  ];
  const f = Object.fromEntries(fields.map((x) => [x.key, x]));
  return {
    resource: 'projects',
    one: 'su.k.project',
    what: 'su.what.project',
    newTitle: 'su.new.project',
    unique: 'code',
    taken: 'su.err.projectCodeTaken',
    deletable: true,
    fields,
    name: (o) => o.code,
    defaults: () => ({ status: 'planning', budget_cents: 0, federal_rate: 0, state_rate: 0 }),
    search: (o) => [o.code, o.name, o.municipality, o.funding_programme, o.grant_reference].join(' '),
    sort: { key: 'code', dir: 'asc' },
    columns: [
      { key: 'code', label: 'su.f.code', head: true, cell: (o) => h('a', { href: `#/projects/${o.id}` }, o.code) },
      { key: 'name', label: 'su.f.name' },
      { key: 'municipality', label: 'su.f.municipality' },
      { key: 'budget_cents', label: 'su.f.budget', cell: (o) => show(f.budget_cents, o.budget_cents) },
      { key: 'rates', label: 'su.col.rates', value: (o) => o.federal_rate + o.state_rate, cell: (o) => `${percent(o.federal_rate)} / ${percent(o.state_rate)}` },
      { key: 'start_date', label: 'su.col.period', cell: (o) => `${fmt.date(o.start_date)} – ${fmt.date(o.planned_end_date)}` },
      { key: 'status', label: 'su.f.status', cell: (o) => h('span.badge', fmt.enum('project_status', o.status)) },
    ],
  };
}

/** Lots (Baulose) of a project, each let to a contractor. refs: {contractors}. */
export function lotKind(refs) {
  const contractorOptions = () => refs.contractors.map((c) => ({ value: c.id, label: c.name }));
  const fields = [
    { key: 'code', label: 'su.f.code', type: 'text', required: true, max: 64, hint: 'su.h.lotCode' },
    { key: 'name', label: 'su.f.name', type: 'text', required: true, max: 200 },
    { key: 'contractor_id', label: 'c.contractor', type: 'ref', nullable: true, none: 'su.noContractor', options: contractorOptions },
    { key: 'contract_value_cents', label: 'su.f.contractValue', type: 'money', hint: 'su.h.money' },
    { key: 'auto_approve', label: 'su.f.autoApprove', type: 'bool', hint: 'su.h.autoApprove', wide: true },
  ];
  const f = Object.fromEntries(fields.map((x) => [x.key, x]));
  return {
    resource: 'lots',
    one: 'su.k.lot',
    what: 'su.what.lot',
    newTitle: 'su.new.lot',
    unique: 'code',
    taken: 'su.err.lotCodeTaken',
    deletable: true,
    fields,
    name: (o) => o.code,
    defaults: () => ({ contract_value_cents: 0, auto_approve: false }),
    search: (o) => [o.code, o.name, show(f.contractor_id, o.contractor_id)].join(' '),
    sort: { key: 'code', dir: 'asc' },
    columns: [
      { key: 'code', label: 'su.f.code', head: true },
      { key: 'name', label: 'su.f.name' },
      { key: 'contractor_id', label: 'c.contractor', value: (o) => (o.contractor_id ? show(f.contractor_id, o.contractor_id) : ''), cell: (o) => show(f.contractor_id, o.contractor_id) },
      { key: 'contract_value_cents', label: 'su.f.contractValue', cell: (o) => show(f.contract_value_cents, o.contract_value_cents) },
      { key: 'auto_approve', label: 'su.col.autoApprove', value: (o) => (o.auto_approve ? 1 : 0), cell: (o) => yesNo(o.auto_approve) },
    ],
  };
}

/** Contractors (Auftragnehmer). refs: {lots, projects}: which lots each one has. */
export function contractorKind(refs) {
  const lotsOf = (c) => refs.lots.filter((l) => l.contractor_id === c.id);
  const several = refs.projects.length > 1;
  const projectCode = (id) => refs.projects.find((p) => p.id === id)?.code || `#${id}`;
  const lotText = (l) => (several ? `${l.code} (${projectCode(l.project_id)})` : l.code);
  return {
    resource: 'contractors',
    one: 'su.k.contractor',
    what: 'su.what.contractor',
    newTitle: 'su.new.contractor',
    deletable: true,
    fields: [
      { key: 'name', label: 'su.f.name', type: 'text', required: true, max: 200, wide: true },
      { key: 'vat_id', label: 'su.f.vatId', type: 'text', nullable: true, max: 32, hint: 'su.h.vatId' },
      { key: 'email', label: 'su.f.email', type: 'email', nullable: true, max: 254 },
      { key: 'phone', label: 'su.f.phone', type: 'tel', nullable: true, max: 64 },
    ],
    name: (o) => o.name,
    search: (o) => [o.name, o.vat_id, o.email, o.phone, ...lotsOf(o).map((l) => l.code)].join(' '),
    sort: { key: 'name', dir: 'asc' },
    columns: [
      { key: 'name', label: 'su.f.name', head: true },
      { key: 'vat_id', label: 'su.f.vatId' },
      { key: 'email', label: 'su.f.email', cell: (o) => (o.email ? h('a', { href: `mailto:${o.email}` }, o.email) : '–') },
      { key: 'phone', label: 'su.f.phone' },
      { key: 'lots', label: 'su.col.lots', value: (o) => lotsOf(o).map(lotText).join(', '), cell: (o) => lotsOf(o).map(lotText).join(', ') || '–' },
    ],
  };
}

/** Users and their roles; only admins see and change them. refs: {contractors}, me: the signed-in user. */
export function userKind(refs, me) {
  const contractorOptions = () => refs.contractors.map((c) => ({ value: c.id, label: c.name }));
  const fields = [
    { key: 'email', label: 'su.f.email', type: 'email', required: true, max: 254 },
    { key: 'name', label: 'su.f.name', type: 'text', required: true, max: 200 },
    { key: 'role', label: 'su.f.role', type: 'enum', values: ROLES, valueLabel: roleName, hint: (mode) => (mode === 'edit' ? null : 'su.h.role') },
    // required for the role contractor and forbidden for the others: the server says so (422) if it is left empty
    { key: 'contractor_id', label: 'c.contractor', type: 'ref', nullable: true, none: 'su.chooseContractor', options: contractorOptions,
      showIf: (v) => v('role') === 'contractor', hiddenValue: null, hint: 'su.h.userContractor' },
    { key: 'active', label: 'su.f.active', type: 'bool', editOnly: true, hint: 'su.h.active' },
    // the API takes a user without one (for API tokens only); here a new user is someone who signs in
    { key: 'password', label: 'su.f.password', type: 'password', required: (mode) => mode === 'create', needed: 'su.err.passwordNeeded',
      hint: (mode) => (mode === 'edit' ? 'su.h.passwordReset' : 'su.h.password') },
  ];
  const f = Object.fromEntries(fields.map((x) => [x.key, x]));
  return {
    resource: 'users',
    one: 'su.k.user',
    what: 'su.what.user',
    newTitle: 'su.new.user',
    unique: 'email',
    taken: 'su.err.emailTaken',
    deletable: false, // users are deactivated, never deleted: their names stay in the audit log
    fields,
    name: (o) => o.name || o.email,
    defaults: () => ({ role: 'contractor', active: true }),
    lockFor: (o) => (me && o && o.id === me.id ? ['role', 'active'] : []),
    search: (o) => [o.name, o.email, roleName(o.role), show(f.contractor_id, o.contractor_id)].join(' '),
    sort: { key: 'name', dir: 'asc' },
    columns: [
      { key: 'name', label: 'su.f.name', head: true, cell: (o) => [o.name, me && o.id === me.id ? h('span.tag', t('su.you')) : null] },
      { key: 'email', label: 'su.f.email' },
      { key: 'role', label: 'su.f.role', value: (o) => roleName(o.role), cell: (o) => roleName(o.role) },
      { key: 'contractor_id', label: 'c.contractor', value: (o) => (o.contractor_id ? show(f.contractor_id, o.contractor_id) : ''), cell: (o) => (o.contractor_id ? show(f.contractor_id, o.contractor_id) : '–') },
      { key: 'active', label: 'su.f.active', value: (o) => (o.active ? 0 : 1),
        cell: (o) => (o.active ? h('span.badge.badge-ok', t('su.activeYes')) : h('span.badge.badge-off', t('su.activeNo'))) },
    ],
  };
}

/** Milestones of a project: funding dates, reports, tranches. */
export function milestoneKind() {
  const fields = [
    { key: 'name', label: 'su.f.name', type: 'text', required: true, max: 200, wide: true },
    { key: 'kind', label: 'su.f.kind', type: 'enum', values: MILESTONE_KINDS, enumKind: 'milestone_kind' },
    { key: 'planned_date', label: 'c.planned', type: 'date', required: true },
    { key: 'forecast_date', label: 'c.forecast', type: 'date', nullable: true },
    { key: 'actual_date', label: 'c.actual', type: 'date', nullable: true },
    { key: 'tranche_cents', label: 'su.f.tranche', type: 'money', hint: 'su.h.tranche' },
    { key: 'funding_relevant', label: 'su.f.fundingRelevant', type: 'bool', hint: 'su.h.fundingRelevant' },
    { key: 'notes', label: 'c.notes', type: 'textarea', nullable: true, max: 4000 },
  ];
  const f = Object.fromEntries(fields.map((x) => [x.key, x]));
  return {
    resource: 'milestones',
    one: 'su.k.milestone',
    what: 'what.milestone',
    newTitle: 'su.new.milestone',
    deletable: true,
    fields,
    name: (o) => o.name,
    defaults: () => ({ kind: 'custom', funding_relevant: false, tranche_cents: 0 }),
    search: (o) => [o.name, fmt.enum('milestone_kind', o.kind), o.notes].join(' '),
    sort: { key: 'planned_date', dir: 'asc' },
    columns: [
      { key: 'name', label: 'su.f.name', head: true, cell: (o) => [h('span.ms-name', o.name), h('span.small.block', fmt.enum('milestone_kind', o.kind))] },
      { key: 'planned_date', label: 'c.planned', cell: (o) => fmt.date(o.planned_date) },
      { key: 'forecast_date', label: 'c.forecast', cell: (o) => fmt.date(o.forecast_date) },
      { key: 'actual_date', label: 'c.actual', cell: (o) => fmt.date(o.actual_date) },
      { key: 'state', label: 'c.state', value: (o) => ['late', 'at_risk', 'on_track', 'done'].indexOf(o.state), cell: (o) => stateBadge(o.state) },
      { key: 'tranche_cents', label: 'su.f.tranche', cell: (o) => (o.tranche_cents ? show(f.tranche_cents, o.tranche_cents) : '–') },
      { key: 'funding_relevant', label: 'su.col.funding', value: (o) => (o.funding_relevant ? 0 : 1), cell: (o) => yesNo(o.funding_relevant) },
    ],
  };
}

/**
 * The milestones a funded rollout reports on, one per kind, with planned
 * dates spread over the project's period (its start and planned end, else
 * two years from today): what the first run and an empty project offer.
 */
export function standardMilestones(project, today) {
  const start = project.start_date || today;
  const end = project.planned_end_date && project.planned_end_date > start ? project.planned_end_date : addMonths(start, 24);
  const months = Math.max(6, Math.round((Date.parse(end) - Date.parse(start)) / (30.44 * 86_400_000)));
  const at = (share) => addMonths(start, Math.round(months * share));
  return [
    { kind: 'funding_approval', planned_date: start, funding_relevant: true },
    { kind: 'tender_award', planned_date: addMonths(start, 2), funding_relevant: false },
    { kind: 'construction_start', planned_date: addMonths(start, 3), funding_relevant: true },
    { kind: 'interim_report', planned_date: at(0.5), funding_relevant: true },
    { kind: 'civil_works_complete', planned_date: at(0.7), funding_relevant: true },
    { kind: 'payment_request', planned_date: at(0.75), funding_relevant: true },
    { kind: 'network_ready', planned_date: at(0.85), funding_relevant: true },
    { kind: 'completion_notice', planned_date: at(0.92), funding_relevant: true },
    { kind: 'final_report', planned_date: end, funding_relevant: true },
  ].map((m) => ({ ...m, name: fmt.enum('milestone_kind', m.kind), tranche_cents: 0 }));
}
