// i18n.js — the dashboard's languages: one message catalogue per language,
// the chosen language (localStorage, else what the browser prefers), and the
// locale every number and date is formatted in.
//
//   t('ms.saved', {name})           a message with parameters ({name} in the text)
//   t('rv.count', {n: 3})           plural forms ({one, other}) chosen by Intl.PluralRules for n
//   t('x', {why: {key, params}})    a parameter may itself be a message
//   serverText(detail)              the server's English problem details, in the chosen language
//
// A message that is not in the catalogue is a bug: t() logs it as a console
// error (the browser tests fail on any) and shows the key.

import * as msgSegments from './msg-segments.js';
import * as msgSetup from './msg-setup.js';
import * as msgTimeline from './msg-timeline.js';
import * as msgAudit from './msg-audit.js';
import * as msgMap from './msg-map.js';
import * as msgFinance from './msg-finance.js';

const STORE_KEY = 'fibertrack.lang';
export const LANGS = ['de', 'en'];

// ---- the catalogues -------------------------------------------------------------

const en = {
  // the shell
  'app.skip': 'Skip to main content',
  'app.home': 'fibertrack start page',
  'app.loading': 'Loading…',
  'app.notAvailable': 'Not available',
  'app.notAvailableH': 'This page is not available to you',
  'app.notAvailableRole': 'Signed in as {role}, you cannot open this page.',
  'app.goHome': 'Go to your start page',
  'app.notFound': 'Not found',
  'app.notFoundH': 'Page not found',
  'app.signedOut': 'You are signed out.',
  'lang.label': 'Language',
  'lang.de': 'Deutsch',
  'lang.en': 'English',
  'lang.deName': 'Deutsch (DE)',
  'lang.enName': 'English (EN)',
  'lang.now': 'The dashboard is now in English.',
  'nav.main': 'Main',
  'nav.home': 'Overview',
  'nav.projects': 'Projects',
  'nav.map': 'Map',
  'nav.milestones': 'Milestones',
  'nav.review': 'Review queue',
  'nav.reports': 'Reports',
  'nav.work': 'My segments',
  'nav.myreports': 'My reports',
  'nav.waiting': { one: '{n} waiting', other: '{n} waiting' },
  'who.role': 'role {role}',
  'who.signOut': 'Sign out',
  'role.admin': 'Admin',
  'role.manager': 'Manager',
  'role.finance': 'Finance',
  'role.contractor': 'Contractor',

  // common words
  'c.loading': 'Loading…',
  'c.noProject': 'There is no project yet.',
  'c.project': 'Project',
  'c.segment': 'Segment',
  'c.segments': 'Segments',
  'c.premise': 'Premise',
  'c.premises': 'Premises',
  'c.lot': 'Lot',
  'c.status': 'Status',
  'c.built': 'Built',
  'c.planned': 'Planned',
  'c.forecast': 'Forecast',
  'c.actual': 'Actual',
  'c.notes': 'Notes',
  'c.state': 'State',
  'c.funding': 'Funding',
  'c.milestone': 'Milestone',
  'c.contractor': 'Contractor',
  'c.date': 'Date',
  'c.photos': 'Photos',
  'c.actions': 'Actions',
  'c.show': 'Show',
  'c.all': 'All',
  'c.showMore': 'Show more',
  'c.save': 'Save',
  'c.saving': 'Saving…',
  'c.cancel': 'Cancel',
  'c.close': 'Close',
  'c.retry': 'Retry',
  'c.no': 'no',
  'c.builtOf': '{built} of {planned}',
  'c.builtOfPct': '{built} of {planned} ({pct})',
  'c.days': { one: '{n} day', other: '{n} days' },
  'c.photoCount': { one: '{n} photo', other: '{n} photos' },
  'c.fixFields': 'Please correct the highlighted fields.',

  // vocabulary of the domain
  'status.planned': 'Planned',
  'status.permitted': 'Permitted',
  'status.in_construction': 'In construction',
  'status.civil_done': 'Civil works done',
  'status.cable_installed': 'Cable installed',
  'status.spliced': 'Spliced',
  'status.tested': 'Tested',
  'status.accepted': 'Accepted',
  'premise.planned': 'Planned',
  'premise.passed': 'Passed',
  'premise.connected': 'Connected',
  'premise.activated': 'Activated',
  'premise.excluded': 'Excluded',
  'msstate.done': 'Done',
  'msstate.late': 'Late',
  'msstate.at_risk': 'At risk',
  'msstate.on_track': 'On track',
  'repstate.submitted': 'Waiting for review',
  'repstate.approved': 'Approved',
  'repstate.rejected': 'Rejected',
  'enum.project_status.planning': 'Planning',
  'enum.project_status.construction': 'Construction',
  'enum.project_status.completed': 'Completed',
  'enum.project_status.closed': 'Closed',
  'enum.segment_kind.trench': 'Trench',
  'enum.segment_kind.duct': 'Duct',
  'enum.segment_kind.cable': 'Cable',
  'enum.segment_kind.drop': 'Drop',
  'enum.method.open_trench': 'Open trench',
  'enum.method.micro_trench': 'Micro trench',
  'enum.method.hdd': 'Directional drilling',
  'enum.method.plough': 'Plough',
  'enum.method.aerial': 'Aerial',
  'enum.method.existing_duct': 'Existing duct',
  'enum.surface.sealed': 'Sealed',
  'enum.surface.unsealed': 'Unsealed',
  'enum.surface.none': 'No surface',
  'enum.premise_kind.residential': 'Residential',
  'enum.premise_kind.business': 'Business',
  'enum.premise_kind.school': 'School',
  'enum.premise_kind.hospital': 'Hospital',
  'enum.premise_kind.public': 'Public building',
  'enum.premise_kind.other': 'Other',
  'enum.milestone_kind.funding_approval': 'Funding approval',
  'enum.milestone_kind.tender_award': 'Tender award',
  'enum.milestone_kind.construction_start': 'Construction start',
  'enum.milestone_kind.civil_works_complete': 'Civil works complete',
  'enum.milestone_kind.network_ready': 'Network ready',
  'enum.milestone_kind.interim_report': 'Interim report',
  'enum.milestone_kind.payment_request': 'Payment request',
  'enum.milestone_kind.completion_notice': 'Completion notice',
  'enum.milestone_kind.final_report': 'Final report',
  'enum.milestone_kind.custom': 'Other',

  // errors in words
  'err.unexpected': 'Something unexpected happened: {msg}',
  'err.network': 'The server cannot be reached. Check your connection, then retry.',
  'err.400': 'The server did not accept the request: {detail}.',
  'err.400.default': 'it was malformed',
  'err.401': 'Your session has ended. Please sign in again.',
  'err.403': 'Your role is not allowed to do this. Ask a project manager or an administrator if you need it.',
  'err.404': 'Not found: {what} does not exist, has been deleted, or is not yours to see.',
  'err.409': 'That could not be done because of a conflict: {detail}. Reload and check.',
  'err.409.default': 'someone else changed it first',
  'err.412': 'Someone else changed this since you opened it. Review their change and try again.',
  'err.413': 'That is too large for the server.',
  'err.422': 'The server could not accept the values: {detail}.',
  'err.422.default': 'they are invalid',
  'err.428': 'The change was sent without a version check; reload the page and try again.',
  'err.429': 'Too many attempts. Please wait a moment and try again.',
  'err.429.wait': { one: 'Too many attempts. Please wait {n} second and try again.', other: 'Too many attempts. Please wait {n} seconds and try again.' },
  'err.503': 'The server is busy right now. Please retry in a moment.',
  'err.503.wait': { one: 'The server is busy right now. Please retry in {n} second.', other: 'The server is busy right now. Please retry in {n} seconds.' },
  'err.500': 'Something went wrong on the server. Please retry; if it keeps happening, tell your administrator.',
  'err.other': 'The server answered {status}.',
  'err.reference': 'Reference: {id}',
  'err.field': '{field}: {detail}',
  'err.request': 'request',
  'what.this': 'this',
  'what.projectList': 'the project list',
  'what.project': 'the project',
  'what.summary': 'the project summary',
  'what.milestones': 'the milestones',
  'what.milestone': 'this milestone',
  'what.reviewQueue': 'the review queue',
  'what.progressReport': 'this progress report',
  'what.mapData': 'the map data',
  'what.report': 'this report',
  'what.yourReports': 'your reports',
  'what.yourLots': 'your lots',
  'what.yourSegments': 'your segments',
  'what.segment': 'this segment',
  'what.signin': 'the sign-in service',

  // sign-in
  'si.title': 'Sign in',
  'si.h1': 'Sign in to fibertrack',
  'si.lead': 'Track the fiber rollout: segments, premises, milestones, progress reports and funding reports.',
  'si.email': 'Email',
  'si.password': 'Password',
  'si.button': 'Sign in',
  'si.signingIn': 'Signing in…',
  'si.wait': 'Sign in (wait {n} s)',
  'si.bye': 'You are signed out. See you soon.',
  'si.missing': 'Please enter your email address and your password.',
  'si.wrong': 'The email address or the password is not right (or the account is disabled).',

  // overview
  'home.title': 'Overview',
  'home.titleOf': 'Overview: {code}',
  'home.loadingProject': 'Loading the project…',
  'home.attention': 'Needs attention',
  'home.figures': 'Key figures',
  'home.reviewTile': { one: 'progress report waiting for review', other: 'progress reports waiting for review' },
  'home.lateTile': { one: 'milestone late', other: 'milestones late' },
  'home.riskTile': 'at risk',
  'home.lateCaption': 'Late and at-risk milestones',
  'home.fundingTag': 'funding',
  'home.noLate': 'No milestone is late or at risk.',
  'home.asOf': 'As of {date}',
  'home.openMap': 'Open the map',

  // key figures
  'kpi.route': 'Route built',
  'kpi.routeSub': 'of {planned} planned ({pct}) · {builtM} of {plannedM}',
  'kpi.routeMeter': '{pct} of the route built',
  'kpi.premises': 'Premises passed',
  'kpi.premisesSub': 'of {total} ({pct}) · {connected} connected',
  'kpi.premisesMeter': '{pct} of premises passed',
  'kpi.whiteSpots': 'White spots closed',
  'kpi.whiteSpotsSub': 'of {total} under-served addresses ({pct})',
  'kpi.whiteSpotsMeter': '{pct} of white spots closed',
  'kpi.msLate': 'Milestones late',
  'kpi.msSub': '{risk} at risk · {track} on track · {done} done',
  'kpi.invoiced': 'Invoiced',
  'kpi.invoicedSub': '{eligible} eligible · {paid} paid',
  'kpi.budget': ' · budget {budget}',
  'kpi.budgetMeter': '{pct} of the budget used',
  'kpi.funding': 'Funding shares',
  'kpi.fundingSub': 'federal {federal} · state {state} · municipality {municipal}',
  'kpi.byStatus': { one: '{n} segment by status', other: '{n} segments by status' },

  // projects
  'pj.title': 'Projects',
  'pj.loading': 'Loading projects…',
  'pj.loadingKpi': 'Loading key figures…',
  'pj.municipality': 'Municipality',
  'pj.programme': 'Programme',
  'pj.grant': 'Grant reference',
  'pj.period': 'Period',
  'pj.budget': 'Budget',

  // map
  'map.title': 'Map',
  'map.titleOf': 'Map: {code}',
  'map.noSuchProject': 'There is no such project.',
  'map.canvas': 'Map of the segments and premises of {code}',
  'map.canvasDone': 'Map of {code}: {segs} segments and {prems} premises, coloured by status as in the legend',
  'map.loadingData': 'Loading segments and premises…',
  'map.progress': 'Loading… {segs} segments, {prems} premises so far',
  'map.done': '{segs} segments and {prems} premises.',
  'map.selectHint': 'Select a segment or a premise on the map to see its details.',
  'map.toolbar': 'Map view',
  'map.zoomIn': 'Zoom in',
  'map.zoomOut': 'Zoom out',
  'map.fit': 'Fit all',
  'map.help': 'Drag or use the arrow keys to move, the mouse wheel or + and − to zoom, 0 to fit everything; click a line or a dot (or press Enter for the one in the middle) to see its details.',
  'map.side': 'Legend and details',
  'map.selected': 'Selected',
  'map.photosOf': 'Photos of the progress reports on {code}',
  'map.loadingPhotos': 'Loading photos…',
  'map.more': 'and {n} more in older reports',
  'map.nothing': 'Nothing there. Select a segment or a premise on the map.',
  'map.loadingObj': 'Loading {code}…',
  'map.kindMethod': 'Kind / method',
  'map.address': 'Address',
  'map.kind': 'Kind',
  'map.units': '{kind} · {homes}, {businesses}',
  'map.homes': { one: '{n} home', other: '{n} homes' },
  'map.businesses': { one: '{n} business', other: '{n} businesses' },
  'map.whiteSpot': 'White spot',
  'map.whiteSpotYes': 'yes ({mbps} Mbit/s before)',

  // milestones
  'ms.title': 'Milestones',
  'ms.titleOf': 'Milestones: {code}',
  'ms.loading': 'Loading milestones…',
  'ms.open': 'Not done',
  'ms.lead': '{late} late · {risk} at risk · {track} on track · {done} done',
  'ms.hintEdit': 'Choose Edit on a row to change its dates or notes in place.',
  'ms.readOnly': 'Read only for your role.',
  'ms.behind': { one: '{n} day behind', other: '{n} days behind' },
  'ms.ahead': { one: '{n} day ahead', other: '{n} days ahead' },
  'ms.relevant': 'relevant',
  'ms.edit': 'Edit',
  'ms.editLabel': 'Edit {name}',
  'ms.inputDate': '{field} date of {name}',
  'ms.input': '{field} of {name}',
  'ms.saved': 'Saved {name}.',
  'ms.empty': '(empty)',
  'ms.conflict': 'Someone else changed this milestone while you were editing it.',
  'ms.conflictVersion': ' It is now version {version}. Their changes:',
  'ms.conflictVersionAt': ' It is now version {version} (saved {when}). Their changes:',
  'ms.yours': ' (yours: {value})',
  'ms.otherFields': 'Other fields were changed.',
  'ms.nothingSaved': 'Nothing of yours was saved. You can apply your changes on top of theirs, or keep theirs.',
  'ms.applyAgain': 'Apply my changes again',
  'ms.editAgain': 'Edit again',
  'ms.keepTheirs': 'Keep theirs',
  'ms.valuesKept': 'Your values are kept; the row now compares against the latest version.',
  'ms.keptTheirs': 'Kept their version.',

  // review queue
  'rv.title': 'Review queue',
  'rv.loading': 'Loading the reports waiting for review…',
  'rv.decided': 'Decided just now',
  'rv.none': 'Nothing is waiting for review. Well done.',
  'rv.count': { one: '{n} progress report waiting for review, oldest first.', other: '{n} progress reports waiting for review, oldest first.' },
  'rv.approve': 'Approve',
  'rv.reject': 'Reject',
  'rv.comment': 'Comment',
  'rv.commentReq': '(required to reject)',
  'rv.heading': 'Segment {code}',
  'rv.sub': ' · report #{id} of {date}',
  'rv.ofPlanned': ' of {planned} planned',
  'rv.over': 'over 1.5 × planned',
  'rv.noNote': 'No note.',
  'rv.photosOf': 'Photos of report #{id}',
  'rv.rejectWhy': 'Say why the report is rejected, so the contractor can fix it.',
  'rv.approved': 'Approved report #{id}: segment {code} is now {status}.',
  'rv.approvedBuilt': 'Approved report #{id}: segment {code} is now {status}, {built} of {planned} built.',
  'rv.rejected': 'Rejected report #{id} for segment {code}; the contractor sees your comment.',
  'rv.cannotApprove': 'This report cannot be approved: {detail}. Reload the queue to see its current state.',
  'rv.cannotReject': 'This report cannot be rejected: {detail}. Reload the queue to see its current state.',
  'rv.alreadyDecided': 'it was already decided',

  // reports
  'rp.title': 'Reports',
  'rp.titleOf': 'Reports: {code}',
  'rp.progress': 'Progress report (Excel)',
  'rp.progressText': 'For the funding agency: cover, key figures with charts, milestones, segments, premises, contractors and costs, as of a date.',
  'rp.asOf': 'As of',
  'rp.language': 'Language of the workbook',
  'rp.costs': 'Cost report (Excel)',
  'rp.costsText': 'For the payment request (Mittelabruf): invoices of the period, totals by category and lot, eligible cost against budget and the amounts to claim.',
  'rp.from': 'From',
  'rp.to': 'To',
  'rp.geojson': 'Network export (GeoJSON)',
  'rp.geojsonText': 'Nodes, segments and premises with their current status, for QGIS or ogr2ogr.',
  'rp.download': 'Download',
  'rp.preparing': 'Preparing…',
  'rp.periodBad': 'The end of the period is before its start.',
  'rp.downloaded': 'Downloaded {file} ({size}).',
  'rp.missing': 'This report is not available on this server yet (it answered “not found”). Ask your administrator for an update; meanwhile the GeoJSON export works.',
  'rp.notAccepted': 'The server did not accept these values: {detail}.',
  'rp.pleaseCheck': 'please check them',

  // my reports
  'mr.title': 'My progress reports',
  'mr.caption': 'My progress reports, newest first',
  'mr.report': 'Report',
  'mr.target': 'Target status',
  'mr.review': 'Review',
  'mr.count': { one: '{n} report.', other: '{n} reports.' },
  'mr.none': 'No reports yet. Report progress from “My segments”.',

  // my segments and the progress form
  'wk.title': 'My segments',
  'wk.loadingLots': 'Loading your lots…',
  'wk.lead': { one: 'You work on {n} lot. Report what was built; the project manager reviews it.', other: 'You work on {n} lots. Report what was built; the project manager reviews it.' },
  'wk.noLot': 'No lot is assigned to your company yet.',
  'wk.auto': 'Reports are applied at once (no review).',
  'wk.reviewed': 'Reports are reviewed by the project manager.',
  'wk.allLots': 'All my lots',
  'wk.anyStatus': 'Any status',
  'wk.codePlaceholder': 'e.g. S-0001',
  'wk.filterLabel': 'Filter segments',
  'wk.code': 'Segment code',
  'wk.filter': 'Filter',
  'wk.plannedEnd': 'Planned end',
  'wk.shown': { one: '{n} segment shown.', other: '{n} segments shown.' },
  'wk.shownMore': { one: '{n} segment shown; more below.', other: '{n} segments shown; more below.' },
  'wk.noMatch': 'No segment matches.',
  'wk.acceptedDone': 'Accepted: nothing left to report',
  'wk.reportOn': 'Report progress on {code}',
  'wk.reportBtn': 'Report progress',
  'wk.dlgTitle': 'Report progress',
  'wk.reportDate': 'Report date',
  'wk.length': 'Built length so far (m)',
  'wk.lengthHint': 'Cumulative, as measured on site, e.g. {example}.',
  'wk.reached': 'Status reached',
  'wk.note': 'Note',
  'wk.noteHint': 'Needed when the length is more than 1.5 × the planned length.',
  'wk.send': 'Send report',
  'wk.sendingBtn': 'Sending…',
  'wk.now': 'Now',
  'wk.nowBuilt': ' · {built} of {planned} planned',
  'wk.noDate': 'Enter the date of the measurement.',
  'wk.badLength': 'Enter the built length in metres (0 or more), e.g. {example}.',
  'wk.keepFailed': 'The report could not be kept on this device: {msg}',
  'wk.refused': 'The report was refused: {detail}.',
  'wk.refusedDefault': 'it conflicts with the segment’s current state',
  'wk.inFlight': 'Your previous attempt is still being processed. Wait a moment, then send again; it will not be counted twice.',
  'wk.takePhoto': 'Take a photo',
  'wk.addPhotos': 'Choose photos or files',
  'wk.photosHint': 'Take a photo or choose files: JPEG, PNG, HEIC or PDF, up to 25 MiB each.',
  'wk.tooLarge': '{name} is {size}; a file may be at most 25 MiB. It was not added.',
  'wk.wrongType': '{name} is not a photo or a PDF (JPEG, PNG, HEIC or PDF). It was not added.',
  'wk.caption': 'Caption for {name}',
  'wk.captionPlaceholder': 'Caption (optional)',
  'wk.remove': 'Remove {name}',
  'wk.removeText': 'Remove',
  'wk.picked': { one: '{n} file will be sent with the report.', other: '{n} files will be sent with the report.' },
  'wk.waiting': 'waiting',
  'wk.sending': 'sending {pct}',
  'wk.sent': 'sent',
  'wk.sendingReport': 'Sending the report…',
  'wk.sentReport': 'Report on {code} sent (report #{id}). The project manager will review it.',
  'wk.sentReportPhotos': 'Report on {code} sent (report #{id}) with {photos}. The project manager will review it.',
  'wk.applied': 'Report on {code} applied at once: the segment is now {status}.',
  'wk.appliedPhotos': 'Report on {code} applied at once: the segment is now {status}; {photos} attached.',
  'wk.offline': 'You are offline. The report is kept on this device and sent by itself when the connection is back.',
  'wk.offlinePhotos': { one: 'You are offline. The report and its photo are kept on this device and sent by themselves when the connection is back.', other: 'You are offline. The report and its {n} photos are kept on this device and sent by themselves when the connection is back.' },
  'wk.kept': 'The report is kept on this device and sent by itself when the connection is back.',
  'wk.keptPhotos': { one: 'The report and its photo are kept on this device and sent by themselves when the connection is back.', other: 'The report and its {n} photos are kept on this device and sent by themselves when the connection is back.' },
  'wk.safe': 'Sending again is safe: the report will not be recorded twice.',
  'wk.photosWaiting': { one: 'Report #{id} was sent; {n} photo is still waiting and will be sent when the connection is back (nothing is sent twice).', other: 'Report #{id} was sent; {n} photos are still waiting and will be sent when the connection is back (nothing is sent twice).' },
  'wk.sendPhotosAgain': 'Send the photos again',

  // photos and the viewer
  'ph.far_from_segment': 'More than 200 m from the segment',
  'ph.taken_after_report': 'Taken after the report date',
  'ph.no_position': 'No position',
  'ph.withWarnings': { one: '{n} with warnings', other: '{n} with warnings' },
  'ph.summary': '{photos} ({warnings})',
  'ph.noPhotos': 'No photos.',
  'ph.open': 'Open {name}',
  'ph.photoOf': '{i} of {n}',
  'ph.taken': 'Taken',
  'ph.position': 'Position',
  'ph.file': 'File',
  'ph.uploaded': 'Uploaded',
  'ph.unknown': 'unknown',
  'ph.fromSegment': '{distance} from the segment',
  'ph.noCaption': 'No caption',
  'ph.previous': 'Previous',
  'ph.next': 'Next',
  'ph.download': 'Download {name}',
  'ph.loadFailed': 'The file could not be loaded.',
  'ph.noPreview': 'No preview for this file type.',
  'ph.cannotShow': 'This browser cannot show this image; download it to view it.',
  'ph.viewerTitle': 'Photo {i} of {n}',
  'ph.warnings': 'Warnings',
  'ph.fileKind': 'FILE',

  // the outbox
  'sy.photoRefused': '{name} was not accepted by the server ({why}) and was removed from the queue.',
  'sy.reportRefused': 'The server did not accept this report: {why}',
  'sy.why404': 'the report is unknown or not yours',
  'sy.why413': 'the file is larger than 25 MiB',
  'sy.why415': 'it is not a JPEG, PNG, HEIC or PDF file',
  'sy.waitingNetwork': 'No connection: it will be sent when the connection is back.',
  'sy.waitingServer': 'The server is busy: it will be sent again shortly.',
  'sy.waitingInFlight': 'The server is still working on the previous attempt: it will be checked again shortly.',
  'sy.waitingSignIn': 'Your session has ended: it will be sent once you sign in again.',
  'ob.heading': 'Waiting to be sent',
  'ob.count': { one: '{n} report is waiting to be sent.', other: '{n} reports are waiting to be sent.' },
  'ob.offline': 'You are offline. They are kept on this device and sent when the connection is back.',
  'ob.online': 'They are sent automatically; nothing is lost if you close this page.',
  'ob.memoryOnly': 'This browser cannot keep them across a reload: keep this page open until they are sent.',
  'ob.sendNow': 'Send now',
  'ob.sending': 'Sending…',
  'ob.discard': 'Discard',
  'ob.discardLabel': 'Discard the report on {code}',
  'ob.confirmDiscard': 'Discard the report on {code} and its photos? It has not reached the server.',
  'ob.dismiss': 'OK',
  'ob.dismissLabel': 'Dismiss the messages about {code}',
  'ob.queued': 'Report waiting',
  'ob.uploading': 'Report #{id} sent; photos waiting',
  'ob.refused': 'Refused by the server',
  'ob.done': 'Report #{id} sent',
  'ob.photoWaiting': 'waiting',
  'ob.photoWaitingWhy': 'waiting: {why}',
  'ob.photoSending': 'sending {pct}',
  'ob.sent': 'Queued report on {code} sent (report #{id}).',
  'ob.sentPhotos': 'Queued report on {code} sent (report #{id}) with {photos}.',

  // the server's problem details (only German replaces them; see serverText)
  'srv.futureDate': 'the report date {date} is in the future (the latest date accepted today is {today})',
  'srv.backward': 'the segment is {from} already; a report cannot move it back to {to}',
  'srv.shorter': '{built} built is less than the {recorded} recorded already; lengths are cumulative',
  'srv.tooLong': '{built} is more than 1.5 times the planned {planned}; add a note that explains it',
  'srv.acceptForbidden': 'only the project manager can accept a segment',
  'srv.forwardOnly': 'a segment can only move forward; ask the project manager to correct it',
  'srv.backNeedsReason': 'moving a segment back to an earlier status needs a reason',
  'srv.alreadyDecided': 'this progress report was {state} already',
  'srv.segmentGone': 'the segment of this report no longer exists',
  'srv.noLongerFits': 'the report no longer fits the segment: {why}; reject it',
  'srv.required': 'is required',
  'srv.date': 'must be a date (YYYY-MM-DD)',
  'srv.number': 'must be a number',
  'srv.twoDecimals': 'must have at most two decimals',
  'srv.notEmpty': 'must not be empty',
  'srv.notNull': 'must not be null',
  'srv.unknownField': 'is not a known field',
  'srv.readOnly': 'is read-only',
  'srv.maxChars': 'must have at most {n} characters',
  'srv.beforeStart': 'must not be before the start date',
  'srv.beforeFrom': 'must not be before from',
  'srv.email': 'must be an e-mail address',
  'srv.oneOf': 'must be one of {values}',
  'srv.between': 'must be between {a} and {b}',
};

const de = {
  'app.skip': 'Zum Inhalt springen',
  'app.home': 'fibertrack-Startseite',
  'app.loading': 'Wird geladen…',
  'app.notAvailable': 'Nicht verfügbar',
  'app.notAvailableH': 'Diese Seite steht Ihnen nicht zur Verfügung',
  'app.notAvailableRole': 'Mit der Rolle {role} können Sie diese Seite nicht öffnen.',
  'app.goHome': 'Zu Ihrer Startseite',
  'app.notFound': 'Nicht gefunden',
  'app.notFoundH': 'Seite nicht gefunden',
  'app.signedOut': 'Sie sind abgemeldet.',
  'lang.label': 'Sprache',
  'lang.de': 'Deutsch',
  'lang.en': 'English',
  'lang.deName': 'Deutsch (DE)',
  'lang.enName': 'English (EN)',
  'lang.now': 'Das Dashboard ist jetzt auf Deutsch.',
  'nav.main': 'Hauptnavigation',
  'nav.home': 'Übersicht',
  'nav.projects': 'Projekte',
  'nav.map': 'Karte',
  'nav.milestones': 'Meilensteine',
  'nav.review': 'Freigaben',
  'nav.reports': 'Berichte',
  'nav.work': 'Meine Abschnitte',
  'nav.myreports': 'Meine Meldungen',
  'nav.waiting': { one: '{n} wartet', other: '{n} warten' },
  'who.role': 'Rolle {role}',
  'who.signOut': 'Abmelden',
  'role.admin': 'Administration',
  'role.manager': 'Projektleitung',
  'role.finance': 'Finanzen',
  'role.contractor': 'Auftragnehmer',

  'c.loading': 'Wird geladen…',
  'c.noProject': 'Es gibt noch kein Projekt.',
  'c.project': 'Projekt',
  'c.segment': 'Abschnitt',
  'c.segments': 'Abschnitte',
  'c.premise': 'Gebäude',
  'c.premises': 'Gebäude',
  'c.lot': 'Los',
  'c.status': 'Status',
  'c.built': 'Gebaut',
  'c.planned': 'Geplant',
  'c.forecast': 'Prognose',
  'c.actual': 'Ist',
  'c.notes': 'Notizen',
  'c.state': 'Stand',
  'c.funding': 'Förderung',
  'c.milestone': 'Meilenstein',
  'c.contractor': 'Auftragnehmer',
  'c.date': 'Datum',
  'c.photos': 'Fotos',
  'c.actions': 'Aktionen',
  'c.show': 'Anzeigen',
  'c.all': 'Alle',
  'c.showMore': 'Mehr anzeigen',
  'c.save': 'Speichern',
  'c.saving': 'Wird gespeichert…',
  'c.cancel': 'Abbrechen',
  'c.close': 'Schließen',
  'c.retry': 'Erneut versuchen',
  'c.no': 'nein',
  'c.builtOf': '{built} von {planned}',
  'c.builtOfPct': '{built} von {planned} ({pct})',
  'c.days': { one: '{n} Tag', other: '{n} Tage' },
  'c.photoCount': { one: '{n} Foto', other: '{n} Fotos' },
  'c.fixFields': 'Bitte korrigieren Sie die markierten Felder.',

  'status.planned': 'Geplant',
  'status.permitted': 'Genehmigt',
  'status.in_construction': 'Im Bau',
  'status.civil_done': 'Tiefbau fertig',
  'status.cable_installed': 'Kabel eingezogen',
  'status.spliced': 'Gespleißt',
  'status.tested': 'Gemessen',
  'status.accepted': 'Abgenommen',
  'premise.planned': 'Geplant',
  'premise.passed': 'Versorgbar',
  'premise.connected': 'Angeschlossen',
  'premise.activated': 'Aktiviert',
  'premise.excluded': 'Ausgeschlossen',
  'msstate.done': 'Erledigt',
  'msstate.late': 'Verspätet',
  'msstate.at_risk': 'Gefährdet',
  'msstate.on_track': 'Im Plan',
  'repstate.submitted': 'Wartet auf Prüfung',
  'repstate.approved': 'Freigegeben',
  'repstate.rejected': 'Abgelehnt',
  'enum.project_status.planning': 'In Planung',
  'enum.project_status.construction': 'Im Bau',
  'enum.project_status.completed': 'Fertiggestellt',
  'enum.project_status.closed': 'Abgeschlossen',
  'enum.segment_kind.trench': 'Graben',
  'enum.segment_kind.duct': 'Leerrohr',
  'enum.segment_kind.cable': 'Kabel',
  'enum.segment_kind.drop': 'Hausanschluss',
  'enum.method.open_trench': 'Offene Bauweise',
  'enum.method.micro_trench': 'Microtrenching',
  'enum.method.hdd': 'Spülbohrung',
  'enum.method.plough': 'Pflugverfahren',
  'enum.method.aerial': 'Oberirdisch',
  'enum.method.existing_duct': 'Bestandsrohr',
  'enum.surface.sealed': 'Versiegelt',
  'enum.surface.unsealed': 'Unversiegelt',
  'enum.surface.none': 'Ohne Oberfläche',
  'enum.premise_kind.residential': 'Wohngebäude',
  'enum.premise_kind.business': 'Gewerbe',
  'enum.premise_kind.school': 'Schule',
  'enum.premise_kind.hospital': 'Krankenhaus',
  'enum.premise_kind.public': 'Öffentliches Gebäude',
  'enum.premise_kind.other': 'Sonstiges',
  'enum.milestone_kind.funding_approval': 'Förderbescheid',
  'enum.milestone_kind.tender_award': 'Vergabe',
  'enum.milestone_kind.construction_start': 'Baubeginn',
  'enum.milestone_kind.civil_works_complete': 'Tiefbau abgeschlossen',
  'enum.milestone_kind.network_ready': 'Netz betriebsbereit',
  'enum.milestone_kind.interim_report': 'Zwischenbericht',
  'enum.milestone_kind.payment_request': 'Mittelabruf',
  'enum.milestone_kind.completion_notice': 'Fertigstellungsanzeige',
  'enum.milestone_kind.final_report': 'Verwendungsnachweis',
  'enum.milestone_kind.custom': 'Sonstiger',

  'err.unexpected': 'Etwas Unerwartetes ist passiert: {msg}',
  'err.network': 'Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es dann erneut.',
  'err.400': 'Der Server hat die Anfrage nicht angenommen: {detail}.',
  'err.400.default': 'sie war fehlerhaft',
  'err.401': 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.',
  'err.403': 'Ihre Rolle darf das nicht. Wenden Sie sich bei Bedarf an die Projektleitung oder die Administration.',
  'err.404': 'Nicht gefunden: {what} – existiert nicht, wurde gelöscht oder ist für Sie nicht sichtbar.',
  'err.409': 'Das war wegen eines Konflikts nicht möglich: {detail}. Bitte neu laden und prüfen.',
  'err.409.default': 'jemand anderes hat es zuerst geändert',
  'err.412': 'Jemand anderes hat dies geändert, seit Sie es geöffnet haben. Prüfen Sie die Änderung und versuchen Sie es erneut.',
  'err.413': 'Das ist zu groß für den Server.',
  'err.422': 'Der Server konnte die Werte nicht annehmen: {detail}.',
  'err.422.default': 'sie sind ungültig',
  'err.428': 'Die Änderung wurde ohne Versionsprüfung gesendet; laden Sie die Seite neu und versuchen Sie es erneut.',
  'err.429': 'Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
  'err.429.wait': { one: 'Zu viele Versuche. Bitte warten Sie {n} Sekunde und versuchen Sie es dann erneut.', other: 'Zu viele Versuche. Bitte warten Sie {n} Sekunden und versuchen Sie es dann erneut.' },
  'err.503': 'Der Server ist gerade ausgelastet. Bitte versuchen Sie es gleich noch einmal.',
  'err.503.wait': { one: 'Der Server ist gerade ausgelastet. Bitte versuchen Sie es in {n} Sekunde erneut.', other: 'Der Server ist gerade ausgelastet. Bitte versuchen Sie es in {n} Sekunden erneut.' },
  'err.500': 'Auf dem Server ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut; wenn er wieder auftritt, informieren Sie die Administration.',
  'err.other': 'Der Server antwortete mit {status}.',
  'err.reference': 'Referenz: {id}',
  'err.field': '{field}: {detail}',
  'err.request': 'Anfrage',
  'what.this': 'dies',
  'what.projectList': 'Projektliste',
  'what.project': 'Projekt',
  'what.summary': 'Projektkennzahlen',
  'what.milestones': 'Meilensteine',
  'what.milestone': 'Meilenstein',
  'what.reviewQueue': 'Freigabeliste',
  'what.progressReport': 'Fortschrittsmeldung',
  'what.mapData': 'Kartendaten',
  'what.report': 'Bericht',
  'what.yourReports': 'Ihre Meldungen',
  'what.yourLots': 'Ihre Lose',
  'what.yourSegments': 'Ihre Abschnitte',
  'what.segment': 'Abschnitt',
  'what.signin': 'Anmeldedienst',

  'si.title': 'Anmelden',
  'si.h1': 'Bei fibertrack anmelden',
  'si.lead': 'Den Glasfaserausbau im Blick: Abschnitte, Gebäude, Meilensteine, Fortschrittsmeldungen und Förderberichte.',
  'si.email': 'E-Mail',
  'si.password': 'Passwort',
  'si.button': 'Anmelden',
  'si.signingIn': 'Anmeldung läuft…',
  'si.wait': 'Anmelden (noch {n} s)',
  'si.bye': 'Sie sind abgemeldet. Bis bald!',
  'si.missing': 'Bitte geben Sie Ihre E-Mail-Adresse und Ihr Passwort ein.',
  'si.wrong': 'E-Mail-Adresse oder Passwort stimmen nicht (oder das Konto ist gesperrt).',

  'home.title': 'Übersicht',
  'home.titleOf': 'Übersicht: {code}',
  'home.loadingProject': 'Das Projekt wird geladen…',
  'home.attention': 'Handlungsbedarf',
  'home.figures': 'Kennzahlen',
  'home.reviewTile': { one: 'Fortschrittsmeldung wartet auf Prüfung', other: 'Fortschrittsmeldungen warten auf Prüfung' },
  'home.lateTile': { one: 'Meilenstein verspätet', other: 'Meilensteine verspätet' },
  'home.riskTile': 'gefährdet',
  'home.lateCaption': 'Verspätete und gefährdete Meilensteine',
  'home.fundingTag': 'förderrelevant',
  'home.noLate': 'Kein Meilenstein ist verspätet oder gefährdet.',
  'home.asOf': 'Stand: {date}',
  'home.openMap': 'Karte öffnen',

  'kpi.route': 'Trasse gebaut',
  'kpi.routeSub': 'von {planned} geplant ({pct}) · {builtM} von {plannedM}',
  'kpi.routeMeter': '{pct} der Trasse gebaut',
  'kpi.premises': 'Gebäude versorgbar',
  'kpi.premisesSub': 'von {total} ({pct}) · {connected} angeschlossen',
  'kpi.premisesMeter': '{pct} der Gebäude versorgbar',
  'kpi.whiteSpots': 'Weiße Flecken geschlossen',
  'kpi.whiteSpotsSub': 'von {total} unterversorgten Adressen ({pct})',
  'kpi.whiteSpotsMeter': '{pct} der weißen Flecken geschlossen',
  'kpi.msLate': 'Meilensteine verspätet',
  'kpi.msSub': '{risk} gefährdet · {track} im Plan · {done} erledigt',
  'kpi.invoiced': 'Abgerechnet',
  'kpi.invoicedSub': '{eligible} förderfähig · {paid} bezahlt',
  'kpi.budget': ' · Budget {budget}',
  'kpi.budgetMeter': '{pct} des Budgets verbraucht',
  'kpi.funding': 'Förderanteile',
  'kpi.fundingSub': 'Bund {federal} · Land {state} · Kommune {municipal}',
  'kpi.byStatus': { one: '{n} Abschnitt nach Status', other: '{n} Abschnitte nach Status' },

  'pj.title': 'Projekte',
  'pj.loading': 'Projekte werden geladen…',
  'pj.loadingKpi': 'Kennzahlen werden geladen…',
  'pj.municipality': 'Kommune',
  'pj.programme': 'Förderprogramm',
  'pj.grant': 'Förderkennzeichen',
  'pj.period': 'Zeitraum',
  'pj.budget': 'Budget',

  'map.title': 'Karte',
  'map.titleOf': 'Karte: {code}',
  'map.noSuchProject': 'Dieses Projekt gibt es nicht.',
  'map.canvas': 'Karte der Abschnitte und Gebäude von {code}',
  'map.canvasDone': 'Karte von {code}: {segs} Abschnitte und {prems} Gebäude, nach Status eingefärbt wie in der Legende',
  'map.loadingData': 'Abschnitte und Gebäude werden geladen…',
  'map.progress': 'Wird geladen… bisher {segs} Abschnitte, {prems} Gebäude',
  'map.done': '{segs} Abschnitte und {prems} Gebäude.',
  'map.selectHint': 'Wählen Sie einen Abschnitt oder ein Gebäude auf der Karte, um die Details zu sehen.',
  'map.toolbar': 'Kartenansicht',
  'map.zoomIn': 'Vergrößern',
  'map.zoomOut': 'Verkleinern',
  'map.fit': 'Alles zeigen',
  'map.help': 'Ziehen oder Pfeiltasten zum Verschieben, Mausrad oder + und − zum Zoomen, 0 zeigt alles; klicken Sie auf eine Linie oder einen Punkt (oder drücken Sie Enter für das Objekt in der Mitte), um die Details zu sehen.',
  'map.side': 'Legende und Details',
  'map.selected': 'Auswahl',
  'map.photosOf': 'Fotos der Fortschrittsmeldungen zu {code}',
  'map.loadingPhotos': 'Fotos werden geladen…',
  'map.more': 'und {n} weitere in älteren Meldungen',
  'map.nothing': 'Dort ist nichts. Wählen Sie einen Abschnitt oder ein Gebäude auf der Karte.',
  'map.loadingObj': '{code} wird geladen…',
  'map.kindMethod': 'Art / Bauweise',
  'map.address': 'Adresse',
  'map.kind': 'Art',
  'map.units': '{kind} · {homes}, {businesses}',
  'map.homes': { one: '{n} Wohneinheit', other: '{n} Wohneinheiten' },
  'map.businesses': { one: '{n} Gewerbeeinheit', other: '{n} Gewerbeeinheiten' },
  'map.whiteSpot': 'Weißer Fleck',
  'map.whiteSpotYes': 'ja (vorher {mbps} Mbit/s)',

  'ms.title': 'Meilensteine',
  'ms.titleOf': 'Meilensteine: {code}',
  'ms.loading': 'Meilensteine werden geladen…',
  'ms.open': 'Nicht erledigt',
  'ms.lead': '{late} verspätet · {risk} gefährdet · {track} im Plan · {done} erledigt',
  'ms.hintEdit': 'Wählen Sie „Bearbeiten“ in einer Zeile, um Termine oder Notizen direkt dort zu ändern.',
  'ms.readOnly': 'Für Ihre Rolle nur lesbar.',
  'ms.behind': { one: '{n} Tag im Verzug', other: '{n} Tage im Verzug' },
  'ms.ahead': { one: '{n} Tag voraus', other: '{n} Tage voraus' },
  'ms.relevant': 'förderrelevant',
  'ms.edit': 'Bearbeiten',
  'ms.editLabel': '{name} bearbeiten',
  'ms.inputDate': '{field} (Datum) von {name}',
  'ms.input': '{field} von {name}',
  'ms.saved': '{name} gespeichert.',
  'ms.empty': '(leer)',
  'ms.conflict': 'Jemand anderes hat diesen Meilenstein geändert, während Sie ihn bearbeitet haben.',
  'ms.conflictVersion': ' Er liegt jetzt in Version {version} vor. Die Änderungen:',
  'ms.conflictVersionAt': ' Er liegt jetzt in Version {version} vor (gespeichert am {when}). Die Änderungen:',
  'ms.yours': ' (Ihr Wert: {value})',
  'ms.otherFields': 'Andere Felder wurden geändert.',
  'ms.nothingSaved': 'Von Ihren Änderungen wurde nichts gespeichert. Sie können Ihre Änderungen auf die neue Fassung anwenden oder die neue Fassung übernehmen.',
  'ms.applyAgain': 'Meine Änderungen erneut anwenden',
  'ms.editAgain': 'Erneut bearbeiten',
  'ms.keepTheirs': 'Neue Fassung übernehmen',
  'ms.valuesKept': 'Ihre Werte bleiben erhalten; die Zeile wird jetzt mit der neuesten Version verglichen.',
  'ms.keptTheirs': 'Die neue Fassung wurde übernommen.',

  'rv.title': 'Prüfung und Freigabe',
  'rv.loading': 'Die Meldungen zur Prüfung werden geladen…',
  'rv.decided': 'Soeben entschieden',
  'rv.none': 'Keine Meldung wartet auf Prüfung. Alles erledigt.',
  'rv.count': { one: '{n} Fortschrittsmeldung wartet auf Prüfung, älteste zuerst.', other: '{n} Fortschrittsmeldungen warten auf Prüfung, älteste zuerst.' },
  'rv.approve': 'Freigeben',
  'rv.reject': 'Ablehnen',
  'rv.comment': 'Kommentar',
  'rv.commentReq': '(zum Ablehnen erforderlich)',
  'rv.heading': 'Abschnitt {code}',
  'rv.sub': ' · Meldung #{id} vom {date}',
  'rv.ofPlanned': ' von {planned} geplant',
  'rv.over': 'über 1,5 × geplant',
  'rv.noNote': 'Keine Bemerkung.',
  'rv.photosOf': 'Fotos der Meldung #{id}',
  'rv.rejectWhy': 'Begründen Sie die Ablehnung, damit der Auftragnehmer nachbessern kann.',
  'rv.approved': 'Meldung #{id} freigegeben: Abschnitt {code} hat jetzt den Status „{status}“.',
  'rv.approvedBuilt': 'Meldung #{id} freigegeben: Abschnitt {code} hat jetzt den Status „{status}“, {built} von {planned} gebaut.',
  'rv.rejected': 'Meldung #{id} zu Abschnitt {code} abgelehnt; der Auftragnehmer sieht Ihren Kommentar.',
  'rv.cannotApprove': 'Diese Meldung kann nicht freigegeben werden: {detail}. Laden Sie die Liste neu, um den aktuellen Stand zu sehen.',
  'rv.cannotReject': 'Diese Meldung kann nicht abgelehnt werden: {detail}. Laden Sie die Liste neu, um den aktuellen Stand zu sehen.',
  'rv.alreadyDecided': 'über sie wurde bereits entschieden',

  'rp.title': 'Berichte',
  'rp.titleOf': 'Berichte: {code}',
  'rp.progress': 'Fortschrittsbericht (Excel)',
  'rp.progressText': 'Für den Fördermittelgeber: Deckblatt, Kennzahlen mit Diagrammen, Meilensteine, Abschnitte, Gebäude, Auftragnehmer und Kosten zu einem Stichtag.',
  'rp.asOf': 'Stichtag',
  'rp.language': 'Sprache der Arbeitsmappe',
  'rp.costs': 'Kostenbericht (Excel)',
  'rp.costsText': 'Für den Mittelabruf: Rechnungen des Zeitraums, Summen nach Kategorie und Los, förderfähige Kosten gegenüber dem Budget und die abzurufenden Beträge.',
  'rp.from': 'Von',
  'rp.to': 'Bis',
  'rp.geojson': 'Netzexport (GeoJSON)',
  'rp.geojsonText': 'Netzknoten, Abschnitte und Gebäude mit ihrem aktuellen Status, für QGIS oder ogr2ogr.',
  'rp.download': 'Herunterladen',
  'rp.preparing': 'Wird erstellt…',
  'rp.periodBad': 'Das Ende des Zeitraums liegt vor seinem Beginn.',
  'rp.downloaded': '{file} heruntergeladen ({size}).',
  'rp.missing': 'Dieser Bericht ist auf diesem Server noch nicht verfügbar (Antwort „nicht gefunden“). Bitten Sie die Administration um ein Update; der GeoJSON-Export funktioniert schon.',
  'rp.notAccepted': 'Der Server hat diese Werte nicht angenommen: {detail}.',
  'rp.pleaseCheck': 'bitte prüfen Sie sie',

  'mr.title': 'Meine Fortschrittsmeldungen',
  'mr.caption': 'Meine Fortschrittsmeldungen, neueste zuerst',
  'mr.report': 'Meldung',
  'mr.target': 'Zielstatus',
  'mr.review': 'Prüfung',
  'mr.count': { one: '{n} Meldung.', other: '{n} Meldungen.' },
  'mr.none': 'Noch keine Meldungen. Melden Sie den Fortschritt unter „Meine Abschnitte“.',

  'wk.title': 'Meine Abschnitte',
  'wk.loadingLots': 'Ihre Lose werden geladen…',
  'wk.lead': { one: 'Sie arbeiten an {n} Los. Melden Sie, was gebaut wurde; die Projektleitung prüft es.', other: 'Sie arbeiten an {n} Losen. Melden Sie, was gebaut wurde; die Projektleitung prüft es.' },
  'wk.noLot': 'Ihrem Unternehmen ist noch kein Los zugeordnet.',
  'wk.auto': 'Meldungen werden sofort übernommen (ohne Prüfung).',
  'wk.reviewed': 'Meldungen werden von der Projektleitung geprüft.',
  'wk.allLots': 'Alle meine Lose',
  'wk.anyStatus': 'Jeder Status',
  'wk.codePlaceholder': 'z. B. S-0001',
  'wk.filterLabel': 'Abschnitte filtern',
  'wk.code': 'Abschnittscode',
  'wk.filter': 'Filtern',
  'wk.plannedEnd': 'Geplantes Ende',
  'wk.shown': { one: '{n} Abschnitt angezeigt.', other: '{n} Abschnitte angezeigt.' },
  'wk.shownMore': { one: '{n} Abschnitt angezeigt; weitere folgen unten.', other: '{n} Abschnitte angezeigt; weitere folgen unten.' },
  'wk.noMatch': 'Kein Abschnitt passt zum Filter.',
  'wk.acceptedDone': 'Abgenommen: nichts mehr zu melden',
  'wk.reportOn': 'Fortschritt zu {code} melden',
  'wk.reportBtn': 'Fortschritt melden',
  'wk.dlgTitle': 'Fortschritt melden',
  'wk.reportDate': 'Meldedatum',
  'wk.length': 'Bisher gebaute Länge (m)',
  'wk.lengthHint': 'Kumuliert, wie vor Ort gemessen, z. B. {example}.',
  'wk.reached': 'Erreichter Status',
  'wk.note': 'Bemerkung',
  'wk.noteHint': 'Erforderlich, wenn die Länge mehr als das 1,5-Fache der geplanten Länge beträgt.',
  'wk.send': 'Meldung senden',
  'wk.sendingBtn': 'Wird gesendet…',
  'wk.now': 'Aktuell',
  'wk.nowBuilt': ' · {built} von {planned} geplant',
  'wk.noDate': 'Geben Sie das Datum der Messung ein.',
  'wk.badLength': 'Geben Sie die gebaute Länge in Metern ein (0 oder mehr), z. B. {example}.',
  'wk.keepFailed': 'Die Meldung konnte auf diesem Gerät nicht gespeichert werden: {msg}',
  'wk.refused': 'Die Meldung wurde abgelehnt: {detail}.',
  'wk.refusedDefault': 'sie widerspricht dem aktuellen Stand des Abschnitts',
  'wk.inFlight': 'Ihr vorheriger Versuch wird noch verarbeitet. Warten Sie einen Moment und senden Sie dann erneut; die Meldung wird nicht doppelt gezählt.',
  'wk.takePhoto': 'Foto aufnehmen',
  'wk.addPhotos': 'Fotos oder Dateien auswählen',
  'wk.photosHint': 'Nehmen Sie ein Foto auf oder wählen Sie Dateien: JPEG, PNG, HEIC oder PDF, je bis zu 25 MiB.',
  'wk.tooLarge': '{name} ist {size} groß; eine Datei darf höchstens 25 MiB groß sein. Sie wurde nicht hinzugefügt.',
  'wk.wrongType': '{name} ist weder ein Foto noch ein PDF (JPEG, PNG, HEIC oder PDF). Die Datei wurde nicht hinzugefügt.',
  'wk.caption': 'Bildunterschrift zu {name}',
  'wk.captionPlaceholder': 'Bildunterschrift (optional)',
  'wk.remove': '{name} entfernen',
  'wk.removeText': 'Entfernen',
  'wk.picked': { one: '{n} Datei wird mit der Meldung gesendet.', other: '{n} Dateien werden mit der Meldung gesendet.' },
  'wk.waiting': 'wartet',
  'wk.sending': 'wird gesendet: {pct}',
  'wk.sent': 'gesendet',
  'wk.sendingReport': 'Die Meldung wird gesendet…',
  'wk.sentReport': 'Meldung zu {code} gesendet (Meldung #{id}). Die Projektleitung prüft sie.',
  'wk.sentReportPhotos': 'Meldung zu {code} mit {photos} gesendet (Meldung #{id}). Die Projektleitung prüft sie.',
  'wk.applied': 'Meldung zu {code} sofort übernommen: Der Abschnitt hat jetzt den Status „{status}“.',
  'wk.appliedPhotos': 'Meldung zu {code} sofort übernommen: Der Abschnitt hat jetzt den Status „{status}“; {photos} angehängt.',
  'wk.offline': 'Sie sind offline. Die Meldung bleibt auf diesem Gerät gespeichert und wird von selbst gesendet, sobald die Verbindung wieder besteht.',
  'wk.offlinePhotos': { one: 'Sie sind offline. Die Meldung und ihr Foto bleiben auf diesem Gerät gespeichert und werden von selbst gesendet, sobald die Verbindung wieder besteht.', other: 'Sie sind offline. Die Meldung und ihre {n} Fotos bleiben auf diesem Gerät gespeichert und werden von selbst gesendet, sobald die Verbindung wieder besteht.' },
  'wk.kept': 'Die Meldung bleibt auf diesem Gerät gespeichert und wird von selbst gesendet, sobald die Verbindung wieder besteht.',
  'wk.keptPhotos': { one: 'Die Meldung und ihr Foto bleiben auf diesem Gerät gespeichert und werden von selbst gesendet, sobald die Verbindung wieder besteht.', other: 'Die Meldung und ihre {n} Fotos bleiben auf diesem Gerät gespeichert und werden von selbst gesendet, sobald die Verbindung wieder besteht.' },
  'wk.safe': 'Erneutes Senden ist sicher: Die Meldung wird nicht doppelt erfasst.',
  'wk.photosWaiting': { one: 'Meldung #{id} wurde gesendet; {n} Foto wartet noch und wird gesendet, sobald die Verbindung wieder besteht (nichts wird doppelt gesendet).', other: 'Meldung #{id} wurde gesendet; {n} Fotos warten noch und werden gesendet, sobald die Verbindung wieder besteht (nichts wird doppelt gesendet).' },
  'wk.sendPhotosAgain': 'Fotos erneut senden',

  'ph.far_from_segment': 'Mehr als 200 m vom Abschnitt entfernt',
  'ph.taken_after_report': 'Nach dem Meldedatum aufgenommen',
  'ph.no_position': 'Keine Position',
  'ph.withWarnings': { one: '{n} mit Warnung', other: '{n} mit Warnungen' },
  'ph.summary': '{photos} ({warnings})',
  'ph.noPhotos': 'Keine Fotos.',
  'ph.open': '{name} öffnen',
  'ph.photoOf': '{i} von {n}',
  'ph.taken': 'Aufgenommen',
  'ph.position': 'Position',
  'ph.file': 'Datei',
  'ph.uploaded': 'Hochgeladen',
  'ph.unknown': 'unbekannt',
  'ph.fromSegment': '{distance} vom Abschnitt entfernt',
  'ph.noCaption': 'Keine Bildunterschrift',
  'ph.previous': 'Zurück',
  'ph.next': 'Weiter',
  'ph.download': '{name} herunterladen',
  'ph.loadFailed': 'Die Datei konnte nicht geladen werden.',
  'ph.noPreview': 'Keine Vorschau für diesen Dateityp.',
  'ph.cannotShow': 'Dieser Browser kann das Bild nicht anzeigen; laden Sie es herunter, um es anzusehen.',
  'ph.viewerTitle': 'Foto {i} von {n}',
  'ph.warnings': 'Warnungen',
  'ph.fileKind': 'DATEI',

  'sy.photoRefused': '{name} wurde vom Server nicht angenommen ({why}) und aus der Warteschlange entfernt.',
  'sy.reportRefused': 'Der Server hat diese Meldung nicht angenommen: {why}',
  'sy.why404': 'die Meldung ist unbekannt oder gehört nicht Ihnen',
  'sy.why413': 'die Datei ist größer als 25 MiB',
  'sy.why415': 'es ist keine JPEG-, PNG-, HEIC- oder PDF-Datei',
  'sy.waitingNetwork': 'Keine Verbindung: wird gesendet, sobald die Verbindung wieder besteht.',
  'sy.waitingServer': 'Der Server ist ausgelastet: wird gleich erneut gesendet.',
  'sy.waitingInFlight': 'Der Server bearbeitet noch den vorherigen Versuch: wird gleich erneut geprüft.',
  'sy.waitingSignIn': 'Ihre Sitzung ist abgelaufen: wird gesendet, sobald Sie sich wieder anmelden.',
  'ob.heading': 'Wartet auf Versand',
  'ob.count': { one: '{n} Meldung wartet auf Versand.', other: '{n} Meldungen warten auf Versand.' },
  'ob.offline': 'Sie sind offline. Die Meldungen bleiben auf diesem Gerät gespeichert und werden gesendet, sobald die Verbindung wieder besteht.',
  'ob.online': 'Sie werden automatisch gesendet; nichts geht verloren, wenn Sie diese Seite schließen.',
  'ob.memoryOnly': 'Dieser Browser kann sie nicht über ein Neuladen hinweg aufbewahren: Lassen Sie diese Seite geöffnet, bis sie gesendet sind.',
  'ob.sendNow': 'Jetzt senden',
  'ob.sending': 'Wird gesendet…',
  'ob.discard': 'Verwerfen',
  'ob.discardLabel': 'Meldung zu {code} verwerfen',
  'ob.confirmDiscard': 'Meldung zu {code} samt Fotos verwerfen? Sie hat den Server noch nicht erreicht.',
  'ob.dismiss': 'OK',
  'ob.dismissLabel': 'Hinweise zu {code} ausblenden',
  'ob.queued': 'Meldung wartet',
  'ob.uploading': 'Meldung #{id} gesendet; Fotos warten',
  'ob.refused': 'Vom Server abgelehnt',
  'ob.done': 'Meldung #{id} gesendet',
  'ob.photoWaiting': 'wartet',
  'ob.photoWaitingWhy': 'wartet: {why}',
  'ob.photoSending': 'wird gesendet: {pct}',
  'ob.sent': 'Gespeicherte Meldung zu {code} gesendet (Meldung #{id}).',
  'ob.sentPhotos': 'Gespeicherte Meldung zu {code} mit {photos} gesendet (Meldung #{id}).',

  'srv.futureDate': 'das Meldedatum {date} liegt in der Zukunft (heute ist der {today} das späteste zulässige Datum)',
  'srv.backward': 'der Abschnitt hat bereits den Status „{from}“; eine Meldung kann ihn nicht auf „{to}“ zurücksetzen',
  'srv.shorter': '{built} gebaut ist weniger als die bereits erfassten {recorded}; Längen werden kumuliert gemeldet',
  'srv.tooLong': '{built} ist mehr als das 1,5-Fache der geplanten {planned}; bitte begründen Sie das in einer Bemerkung',
  'srv.acceptForbidden': 'nur die Projektleitung kann einen Abschnitt abnehmen',
  'srv.forwardOnly': 'ein Abschnitt kann nur vorwärts gehen; bitten Sie die Projektleitung um eine Korrektur',
  'srv.backNeedsReason': 'ein Zurücksetzen auf einen früheren Status braucht eine Begründung',
  'srv.alreadyDecided': 'über diese Fortschrittsmeldung wurde bereits entschieden ({state})',
  'srv.segmentGone': 'den Abschnitt dieser Meldung gibt es nicht mehr',
  'srv.noLongerFits': 'die Meldung passt nicht mehr zum Abschnitt: {why}; bitte lehnen Sie sie ab',
  'srv.required': 'ist erforderlich',
  'srv.date': 'muss ein Datum sein',
  'srv.number': 'muss eine Zahl sein',
  'srv.twoDecimals': 'darf höchstens zwei Nachkommastellen haben',
  'srv.notEmpty': 'darf nicht leer sein',
  'srv.notNull': 'darf nicht leer sein',
  'srv.unknownField': 'ist kein bekanntes Feld',
  'srv.readOnly': 'kann nicht geändert werden',
  'srv.maxChars': 'darf höchstens {n} Zeichen haben',
  'srv.beforeStart': 'darf nicht vor dem Beginn liegen',
  'srv.beforeFrom': 'darf nicht vor dem Beginn des Zeitraums liegen',
  'srv.email': 'muss eine E-Mail-Adresse sein',
  'srv.oneOf': 'muss einer dieser Werte sein: {values}',
  'srv.between': 'muss zwischen {a} und {b} liegen',
};

// The later areas keep their messages in files of their own (msg-*.js).
for (const part of [msgSegments, msgSetup, msgTimeline, msgAudit, msgMap, msgFinance]) {
  for (const [name, cat] of [['en', en], ['de', de]]) {
    for (const k of Object.keys(part[name])) {
      if (k in cat) console.error(`i18n: message "${k}" is defined twice`);
    }
    Object.assign(cat, part[name]);
  }
}

export const MESSAGES = { de, en };

// ---- the chosen language --------------------------------------------------------

/** The language to start with: the stored choice, else the browser's preference, else English. */
export function detect() {
  try {
    const s = globalThis.localStorage && localStorage.getItem(STORE_KEY);
    if (s && LANGS.includes(s)) return s;
  } catch { /* storage blocked: go by the browser */ }
  const nav = globalThis.navigator || {};
  const prefs = nav.languages && nav.languages.length ? nav.languages : [nav.language || ''];
  for (const l of prefs) {
    const primary = String(l).toLowerCase().split('-')[0];
    if (LANGS.includes(primary)) return primary;
  }
  return 'en';
}

let current = detect();
let cache = null; // formatters of the current locale

/** An EventTarget: 'change' after setLang (lang() is the new language). */
export const events = new EventTarget();

export function lang() { return current; }

/** The locale numbers and dates are formatted in: de-DE, or the browser's English (en-US by default). */
export function locale() {
  if (current === 'de') return 'de-DE';
  const nav = globalThis.navigator || {};
  const en = (nav.languages || []).find((l) => /^en-[a-z]{2}$/i.test(l));
  return en || 'en-US';
}

/** Switches the language, remembers it, and tells the page (which renders itself again). */
export function setLang(l) {
  if (!LANGS.includes(l) || l === current) return;
  current = l;
  cache = null;
  try { localStorage.setItem(STORE_KEY, l); } catch { /* not remembered, still switched */ }
  applyDocumentLang();
  events.dispatchEvent(new Event('change')); // Event, not CustomEvent: node 18 (the catalogue test) has no CustomEvent
}

export function applyDocumentLang() {
  if (globalThis.document) document.documentElement.lang = current;
}

// ---- messages ----------------------------------------------------------------------

function formatters() {
  if (cache) return cache;
  const loc = locale();
  cache = {
    plural: new Intl.PluralRules(loc),
    int: new Intl.NumberFormat(loc, { maximumFractionDigits: 0 }),
  };
  return cache;
}

/** Whether a message exists (in the current language). */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(MESSAGES[current], key);
}

/**
 * The message `key` in the current language with its {parameters}. A number
 * `n` is formatted in the locale and picks the plural form; a parameter that
 * is {key, params} is itself translated.
 */
export function t(key, params = {}) {
  let msg = MESSAGES[current][key];
  if (msg === undefined) {
    console.error(`i18n: no message "${key}" in "${current}"`);
    return key;
  }
  if (typeof msg === 'object') {
    const n = Number(params.n);
    msg = msg[formatters().plural.select(Number.isFinite(n) ? n : 0)] ?? msg.other;
  }
  return msg.replace(/\{(\w+)\}/g, (all, name) => {
    if (!(name in params)) return all;
    const v = params[name];
    if (v && typeof v === 'object' && typeof v.key === 'string') return t(v.key, v.params || {});
    if (v && typeof v === 'object' && typeof v.server === 'string') return serverText(v.server);
    if (name === 'n' && typeof v === 'number') return formatters().int.format(v);
    return v === null || v === undefined ? '' : String(v);
  });
}

/** A message to translate later (kept in storage, shown in the language of the moment). */
export const msg = (key, params = {}) => ({ key, params });

/** A stored message ({key, params}) or an old plain text, in the current language. */
export function text(m) {
  if (!m) return '';
  if (typeof m === 'string') return m;
  if (typeof m.key === 'string') return t(m.key, m.params || {});
  return m.text || '';
}

// ---- the server's words ---------------------------------------------------------------

const metres = (s) => {
  const n = Number(s);
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(n)} m`;
};
const isoDate = (s) => {
  const [y, m, d] = s.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
};
const statusWord = (s) => (has(`status.${s}`) ? t(`status.${s}`) : s);
const stateWord = (s) => (has(`repstate.${s}`) ? t(`repstate.${s}`) : s);

// What the server says in English (problem details, field errors), and how to say it.
const SERVER = [
  [/^the report date (\d{4}-\d\d-\d\d) is in the future \(the latest date accepted today is (\d{4}-\d\d-\d\d)\)$/, (m) => t('srv.futureDate', { date: isoDate(m[1]), today: isoDate(m[2]) })],
  [/^the segment is (\w+) already; a report cannot move it back to (\w+)$/, (m) => t('srv.backward', { from: statusWord(m[1]), to: statusWord(m[2]) })],
  [/^([\d.]+) m built is less than the ([\d.]+) m recorded already; lengths are cumulative$/, (m) => t('srv.shorter', { built: metres(m[1]), recorded: metres(m[2]) })],
  [/^([\d.]+) m is more than 1\.5 times the planned ([\d.]+) m; add a note that explains it$/, (m) => t('srv.tooLong', { built: metres(m[1]), planned: metres(m[2]) })],
  [/^only the project manager can accept a segment$/, () => t('srv.acceptForbidden')],
  [/^a segment can only move forward; ask the project manager to correct it$/, () => t('srv.forwardOnly')],
  [/^moving a segment back to an earlier status needs a reason$/, () => t('srv.backNeedsReason')],
  [/^this progress report was (\w+) already$/, (m) => t('srv.alreadyDecided', { state: stateWord(m[1]) })],
  [/^the segment of this report no longer exists$/, () => t('srv.segmentGone')],
  [/^the report no longer fits the segment: (.*); reject it$/, (m) => t('srv.noLongerFits', { why: serverText(m[1]) })],
  [/^is required$/, () => t('srv.required')],
  [/^must be a date \(YYYY-MM-DD\)$/, () => t('srv.date')],
  [/^must be a number$/, () => t('srv.number')],
  [/^must have at most two decimals$/, () => t('srv.twoDecimals')],
  [/^must not be empty$/, () => t('srv.notEmpty')],
  [/^must not be null$/, () => t('srv.notNull')],
  [/^is not a known field$/, () => t('srv.unknownField')],
  [/^is read-only$/, () => t('srv.readOnly')],
  [/^must have at most (\d+) characters$/, (m) => t('srv.maxChars', { n: Number(m[1]) })],
  [/^must not be before the start date$/, () => t('srv.beforeStart')],
  [/^must not be before from$/, () => t('srv.beforeFrom')],
  [/^must be an e-mail address$/, () => t('srv.email')],
  [/^must be one of:? (.*)$/, (m) => t('srv.oneOf', { values: m[1] })],
  [/^must be between (\S+) and (\S+)$/, (m) => t('srv.between', { a: m[1], b: m[2] })],
];

/**
 * A problem detail or field error of the server in the current language. The
 * server speaks English: in English it is shown as it is; in German the known
 * sentences are replaced, anything else is shown as the server wrote it.
 */
export function serverText(detail) {
  const s = String(detail ?? '');
  if (current === 'en' || !s) return s;
  for (const [re, fn] of SERVER) {
    const m = re.exec(s);
    if (m) return fn(m);
  }
  return s;
}

// ---- numbers typed by people -----------------------------------------------------------

/** The decimal and grouping separators of the current locale. */
export function separators() {
  const parts = new Intl.NumberFormat(locale()).formatToParts(12345.6);
  return {
    decimal: (parts.find((p) => p.type === 'decimal') || { value: '.' }).value,
    group: (parts.find((p) => p.type === 'group') || { value: ',' }).value,
  };
}

/**
 * A number typed in the locale's way ("150,5" or "1.234,5" in German, "150.5"
 * or "1,234.5" in English), or NaN. The other separator is taken as the
 * decimal one only where it cannot be a grouping ("150.5" in German is 150.5,
 * "1.500" is 1500). Empty text is null.
 */
export function parseNumber(input) {
  let s = String(input ?? '').trim().replace(/[\s\u00a0\u202f']/g, '');
  if (!s) return null;
  let sign = 1;
  if (/^[-−+]/.test(s)) { sign = s[0] === '+' ? 1 : -1; s = s.slice(1); }
  const { decimal } = separators();
  const dec = decimal === ',' ? ',' : '.';
  const grp = dec === ',' ? '.' : ',';
  const esc = (c) => (c === '.' ? '\\.' : c);
  let m;
  if (new RegExp(`^\\d+(${esc(dec)}\\d+)?$`).test(s)) {
    m = s.replace(dec, '.');
  } else if (new RegExp(`^\\d{1,3}(${esc(grp)}\\d{3})+(${esc(dec)}\\d+)?$`).test(s)) {
    m = s.split(grp).join('').replace(dec, '.');
  } else if (new RegExp(`^\\d+${esc(grp)}\\d{1,2}$`).test(s)) {
    m = s.replace(grp, '.'); // "150.5" typed in German: no grouping has 1 or 2 digits
  } else {
    return NaN;
  }
  return sign * Number(m);
}

/**
 * Euros as typed ("1.234,56", "1234.56", "1 234,56 €"; read as parseNumber
 * reads numbers) → {cents}, with cents null when the field is empty, or
 * {error}: 'bad' (no amount), 'negative', 'decimals' (more than cents) or
 * 'large' (above max cents). Each page words the error its own way.
 */
export function parseMoney(input, max = 1e13) {
  const s = String(input ?? '').replace(/€|\bEUR\b/gi, '').trim();
  if (/^[-−]/.test(s)) return { error: 'negative' };
  const n = parseNumber(s);
  if (n === null) return { cents: null };
  if (!Number.isFinite(n)) return { error: 'bad' };
  const cents = Math.round(n * 100);
  if (Math.abs(n * 100 - cents) > 1e-6) return { error: 'decimals' };
  if (cents > max) return { error: 'large' };
  return { cents };
}

/**
 * A date typed in the locale's usual form ("25.11.2026" in German,
 * "11/25/2026" in US English) or as ISO "2026-11-25", as YYYY-MM-DD; null
 * when empty, NaN (a number) when it is not a date.
 */
export function parseDate(input) {
  const s = String(input ?? '').trim();
  if (!s) return null;
  let y;
  let mo;
  let d;
  let m;
  if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s))) [, y, mo, d] = m;
  else if ((m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s))) [, d, mo, y] = m;
  else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s))) {
    if (locale() === 'en-US') [, mo, d, y] = m; else [, d, mo, y] = m;
  } else return NaN;
  const dt = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (dt.getUTCFullYear() !== Number(y) || dt.getUTCMonth() !== Number(mo) - 1 || dt.getUTCDate() !== Number(d)) return NaN;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
