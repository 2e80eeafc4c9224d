// The operator dashboard's script: polls the node's read-only JSON API (/ui/api/*) and renders it. No framework: the
// page is a handful of tables and two uPlot charts, and every value is put in the DOM as text (never as HTML), so
// nothing a request or an error message carries can run in the page.

const POLL_MS = 2000;
const STEPS = ['Requested', 'Proposed', 'Disputed'];
const ENDS = ['Finalized', 'Failed', 'Expired'];
/** Which step of a request's life cycle each of the node's jobs belongs to. */
const JOB_STEP = { propose: 'Proposed', challenge: 'Disputed', resolve: 'Disputed', finalize: 'end', expireDispute: 'end', expire: 'end', deliver: 'end' };

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text nodes). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') el.className = v;
    else if (k === 'title') el.title = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** Wei (a decimal string) as ETH with up to 4 decimals. */
function eth(wei) {
  if (wei === undefined || wei === null) return '–';
  const v = BigInt(wei);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / 10n ** 18n;
  const frac = ((a % 10n ** 18n) / 10n ** 14n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${neg ? '−' : ''}${whole}${frac ? `.${frac}` : ''} ETH`;
}

const short = (addr) => (addr ? `${addr.slice(0, 6)}…${addr.slice(-4)}` : '–');
/** A request id (uint256, decimal): small ones as they are, hash-like ones as short hex. */
function shortId(id) {
  if (id.length <= 9) return id;
  const hex = BigInt(id).toString(16);
  return `0x${hex.slice(0, 6)}…${hex.slice(-6)}`;
}
const same = (a, b) => Boolean(a && b) && a.toLowerCase() === b.toLowerCase();
const ZERO = '0x0000000000000000000000000000000000000000';

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function replaceRows(tbody, rows, columns, emptyText) {
  tbody.replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: columns, class: 'empty' }, emptyText))]));
}

function bars(container, entries) {
  const max = Math.max(1, ...entries.map(([, n]) => n));
  container.replaceChildren(
    ...entries.flatMap(([label, n]) => [
      h('span', {}, label),
      h('div', { class: 'bar', style: `width:${(100 * n) / max}%` }),
      h('span', { class: 'num', 'data-count': label }, n),
    ]),
  );
}

/** The node's role in a dispute and how it came out for it. */
function outcomeFor(d, me) {
  const party = same(d.proposer, me) || same(d.challenger, me);
  if (!d.resolver) return ENDS.includes(d.state) ? 'ended' : 'open';
  if (same(d.winner, me)) return 'won';
  if (party) return 'lost';
  if (same(d.resolver, me)) return 'settled';
  return 'others';
}

function disputeResult(d) {
  if (!d.resolver) return d.state === 'Disputed' ? 'open' : d.state;
  if (d.winner === ZERO) return `both wrong (${d.provenance ?? '?'})`;
  const side = same(d.winner, d.proposer) ? 'proposer' : same(d.winner, d.challenger) ? 'challenger' : short(d.winner);
  return `${side} won (${d.provenance ?? '?'})`;
}

function jobBadge(j) {
  const title = [j.error, j.txHash ? `tx ${j.txHash}` : null, `updated ${new Date(j.updatedAt).toISOString()}`].filter(Boolean).join('\n');
  return h('span', { class: 'job', 'data-kind': j.kind, 'data-state': j.state, title }, `${j.kind}: ${j.state}`);
}

/** Requested → Proposed → Disputed → Finalized/Failed/Expired, with the chain times and the node's jobs per step. */
function lifeCycle(r) {
  const ended = ENDS.includes(r.state);
  const reached = {
    Requested: true,
    Proposed: r.proposedAt !== null || r.state === 'Proposed' || r.state === 'Disputed',
    Disputed: r.disputedAt !== null || r.state === 'Disputed',
  };
  const at = { Requested: r.requestedAt, Proposed: r.proposedAt, Disputed: r.disputedAt };
  const rel = (t) =>
    t !== null && r.requestedAt !== null && t !== r.requestedAt ? `+${t - r.requestedAt} s` : t !== null ? new Date(t * 1000).toLocaleTimeString() : '';
  const steps = STEPS.filter((s) => s !== 'Disputed' || reached.Disputed).map((s) =>
    h(
      'div',
      { class: `step${reached[s] ? ' done' : ''}${r.state === s ? ' current' : ''}`, 'data-step': s },
      h('div', { class: 'name' }, s),
      h('div', { class: 'at' }, reached[s] ? rel(at[s]) : ''),
      r.jobs.filter((j) => JOB_STEP[j.kind] === s).map(jobBadge),
    ),
  );
  const endName = ended ? r.state : '…';
  steps.push(
    h(
      'div',
      { class: `step${ended ? ` done end-${r.state}` : ''}`, 'data-step': 'end' },
      h('div', { class: 'name' }, endName),
      h('div', { class: 'at' }, ended ? [rel(r.settledAt), r.provenance ? ` · ${r.provenance}` : ''].join('') : ''),
      r.jobs.filter((j) => JOB_STEP[j.kind] === 'end').map(jobBadge),
    ),
  );
  return h('div', { class: 'steps' }, steps);
}

function renderRequests(list) {
  replaceRows(
    $('requests').tBodies[0],
    list.map((r) =>
      h(
        'tr',
        { 'data-request': r.requestId, 'data-state': r.state },
        h('td', { class: 'mono', title: r.requestId }, shortId(r.requestId), h('div', { class: 'meta' }, `block ${r.requestedBlock}`)),
        h('td', { class: 'num' }, r.modelId),
        h('td', {}, lifeCycle(r)),
        h('td', { class: 'num' }, eth(r.fee)),
        h('td', { class: 'num' }, eth(r.bond)),
      ),
    ),
    5,
    'no requests yet',
  );
}

let charts;

function renderCharts(series) {
  const uPlot = globalThis.uPlot;
  if (!uPlot) return;
  const width = (el) => Math.max(300, el.clientWidth - 8);
  const tp = [series.t, series.created, series.confirmed];
  const lat = [series.t, series.reactionMs, series.inclusionS];
  if (!charts) {
    const tpEl = $('chart-throughput');
    const latEl = $('chart-latency');
    charts = {
      throughput: new uPlot(
        {
          width: width(tpEl),
          height: 200,
          series: [{}, { label: 'jobs created', stroke: '#2b6cb0', width: 2 }, { label: 'transactions confirmed', stroke: '#1f8a4c', width: 2 }],
          axes: [{}, { label: 'per minute' }],
        },
        tp,
        tpEl,
      ),
      latency: new uPlot(
        {
          width: width(latEl),
          height: 200,
          series: [
            {},
            { label: 'reaction (job → sent, mean), ms', stroke: '#b7791f', width: 2, scale: 'ms', spanGaps: true },
            { label: 'inclusion (sent → confirmed, mean), s', stroke: '#6b46c1', width: 2, scale: 's', spanGaps: true },
          ],
          axes: [{}, { scale: 'ms', label: 'ms' }, { scale: 's', side: 1, label: 's', grid: { show: false } }],
        },
        lat,
        latEl,
      ),
    };
    addEventListener('resize', () => {
      charts.throughput.setSize({ width: width(tpEl), height: 200 });
      charts.latency.setSize({ width: width(latEl), height: 200 });
    });
  } else {
    charts.throughput.setData(tp);
    charts.latency.setData(lat);
  }
}

function renderSummary(s) {
  const n = s.node;
  const status = $('status');
  status.dataset.ok = String(n.ok);
  status.textContent = n.ok ? 'following the chain' : n.lastError ? `chain unreachable: ${n.lastError}` : 'starting';
  $('meta').textContent = `v${n.version} · ${n.address} · chain ${n.chainId ?? '?'} · oracle ${short(n.oracle)} · head ${n.head ?? '?'} (processed ${
    n.processedTo ?? '?'
  }) · ${n.roles.join(', ')} · ${n.models.join(', ')}`;
  for (const dd of $('stake').querySelectorAll('dd')) {
    const v = n[dd.dataset.key];
    dd.textContent = typeof v === 'number' ? String(v) : eth(v);
  }
  const l = s.ledger;
  const net = BigInt(l.fees) + BigInt(l.disputeRewards) + BigInt(l.resolverRewards) - BigInt(l.slashed);
  const ledger = { ...l, net: net.toString(), disputes: `${l.disputesWon} / ${l.disputesLost} / ${l.disputesResolved}` };
  for (const dd of $('ledger').querySelectorAll('dd')) {
    const v = ledger[dd.dataset.key];
    dd.textContent = dd.dataset.key === 'disputes' ? v : eth(v);
  }
  const byState = Object.fromEntries(s.requests.map((r) => [r.state, r.count]));
  bars(
    $('request-counts'),
    [...STEPS, ...ENDS].map((st) => [st, byState[st] ?? 0]),
  );
  bars($('verdict-counts'), Object.entries(s.verdicts.counts));
  renderJobs(s.jobs);
  const me = n.address;
  replaceRows(
    $('disputes').tBodies[0],
    s.disputes.map((d) => {
      const outcome = outcomeFor(d, me);
      return h(
        'tr',
        { 'data-request': d.requestId, 'data-outcome': outcome },
        h('td', { class: 'mono', title: d.requestId }, shortId(d.requestId)),
        h('td', { class: 'mono', title: d.proposer }, same(d.proposer, me) ? 'this node' : short(d.proposer)),
        h('td', { class: 'mono', title: d.challenger }, same(d.challenger, me) ? 'this node' : short(d.challenger)),
        h('td', {}, disputeResult(d)),
        h('td', { class: 'mono', title: d.resolver ?? '' }, d.resolver ? (same(d.resolver, me) ? 'this node' : short(d.resolver)) : '–'),
        h('td', { class: 'outcome', 'data-outcome': outcome }, outcome),
      );
    }),
    6,
    'no disputes',
  );
  replaceRows(
    $('verdicts').tBodies[0],
    s.verdicts.recent.map((v) =>
      h(
        'tr',
        { 'data-request': v.requestId, 'data-verdict': v.verdict },
        h('td', { class: 'mono', title: v.requestId }, shortId(v.requestId)),
        h('td', { class: 'mono', title: v.proposer ?? '' }, short(v.proposer)),
        h('td', { class: 'verdict', 'data-verdict': v.verdict }, v.verdict),
        h('td', {}, v.state),
        h('td', {}, v.reason ?? ''),
      ),
    ),
    5,
    'no proposals watched',
  );
  replaceRows(
    $('failed').tBodies[0],
    s.failed.map((j) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono', title: j.requestId }, shortId(j.requestId)),
        h('td', {}, j.kind),
        h('td', { class: 'num' }, j.attempts),
        h('td', {}, j.error ?? ''),
        h('td', {}, ago(j.updatedAt)),
      ),
    ),
    5,
    'no failed jobs',
  );
  renderCharts(s.series);
  $('updated').textContent = `updated ${new Date(s.at).toLocaleTimeString()}`;
}

function renderJobs(counts) {
  const kinds = [...new Set(counts.map((c) => c.kind))];
  const states = ['seen', 'inferred', 'proof_pending', 'submitted', 'confirmed', 'failed', 'skipped'];
  const table = $('jobs');
  table.tHead.replaceChildren(
    h(
      'tr',
      {},
      h('th', {}, 'kind'),
      states.map((st) => h('th', { class: 'num' }, st)),
      h('th', { class: 'num' }, 'total'),
    ),
  );
  const count = (k, st) => counts.find((c) => c.kind === k && c.state === st)?.count ?? 0;
  replaceRows(
    table.tBodies[0],
    kinds.map((k) =>
      h(
        'tr',
        { 'data-kind': k },
        h('td', {}, k),
        states.map((st) => h('td', { class: 'num', 'data-state': st }, count(k, st) || '')),
        h(
          'td',
          { class: 'num' },
          counts.filter((c) => c.kind === k).reduce((a, c) => a + c.count, 0),
        ),
      ),
    ),
    9,
    'no jobs yet',
  );
}

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

let first = true;
async function refresh() {
  const filter = $('request-filter').value;
  try {
    const [summary, requests] = await Promise.all([
      getJson('/ui/api/summary'),
      getJson(`/ui/api/requests?limit=50${filter ? `&state=${encodeURIComponent(filter)}` : ''}`),
    ]);
    renderSummary(summary);
    renderRequests(requests.requests);
    if (first) {
      first = false;
      // When the data first showed: the benchmark reads this mark next to the paint entries.
      performance.mark('vai:data');
    }
  } catch (err) {
    const status = $('status');
    status.dataset.ok = 'false';
    status.textContent = `node unreachable: ${err.message}`;
  }
}

let timer;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    // No polling in a hidden tab: the node's store is not read for nobody.
    if (!document.hidden) await refresh();
    schedule();
  }, POLL_MS);
}

$('request-filter').addEventListener('change', () => refresh());
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) refresh();
});
refresh().then(schedule);
