// Cairn block explorer: a single page over the node's JSON API (docs/API.md). No framework, no
// build step, nothing fetched from the internet. Hash routes: #/ (latest blocks, mempool, charts),
// #/block/<hash>, #/tx/<txid>, #/address/<address>, #/peers, #/search/<query>.
// Live updates come from Server-Sent Events (/api/events); if those fail, the page polls every 10 s.
// Everything from the API reaches the DOM as text nodes or attributes, never as HTML.
'use strict';

(() => {
  const view = document.getElementById('view');
  const liveEl = document.getElementById('live');
  const tipEl = document.getElementById('tip');
  const searchForm = document.getElementById('search-form');
  const searchInput = document.getElementById('search');

  const COIN = 100000000n; // base units per coin (docs/PROTOCOL.md §2)
  const TXS_PER_PAGE = 25; // /api/block/:hash/txs and /api/address/:address/txs/chain pages
  const CHART_BLOCKS = 50; // intervals need one block more
  const POLL_MS = 10000;

  // ---- DOM ------------------------------------------------------------------------------------

  function setAttrs(node, attrs) {
    if (!attrs) return;
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'onclick') node.addEventListener('click', v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function append(node, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k == null || k === false) continue;
      node.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return node;
  }

  /** Replaces a node's children; null and false children are left out, strings become text. */
  function put(node, ...kids) {
    node.replaceChildren();
    return append(node, kids);
  }

  /** An HTML element; string children become text nodes (so they are never parsed as HTML). */
  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    return append(node, kids);
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...kids) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    return append(node, kids);
  }

  const isHex64 = (s) => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
  const short = (h) => (h && h.length > 20 ? h.slice(0, 10) + '…' + h.slice(-8) : h);

  function blockLink(hash, text) {
    return isHex64(hash) ? el('a', { href: '#/block/' + hash, class: 'hash' }, text ?? hash) : el('span', {}, text ?? '—');
  }
  function txLink(txid, text) {
    return isHex64(txid) ? el('a', { href: '#/tx/' + txid, class: 'hash' }, text ?? txid) : el('span', {}, text ?? '—');
  }
  function addressLink(address, text) {
    if (!address) return el('span', {}, '—');
    return el('a', { href: '#/address/' + encodeURIComponent(address), class: 'addr' }, text ?? address);
  }

  // ---- formatting -----------------------------------------------------------------------------

  /** Base units as coins with 8 decimals: 2500000000 -> "25.00000000". Exact (BigInt). */
  function coins(units) {
    if (units == null) return '—';
    let n = BigInt(typeof units === 'number' ? Math.round(units) : units);
    const negative = n < 0n;
    if (negative) n = -n;
    const whole = (n / COIN).toLocaleString('en-US');
    const frac = (n % COIN).toString().padStart(8, '0');
    return (negative ? '−' : '') + whole + '.' + frac;
  }
  const coinsEl = (units, sign) => el('span', { class: 'amount' + (sign ? ' ' + sign : '') }, coins(units), el('span', { class: 'unit' }, ' coins'));

  const int = (n) => (n == null ? '—' : Number(n).toLocaleString('en-US'));
  function bytes(n) {
    if (n == null) return '—';
    if (n < 10000) return int(n) + ' B';
    if (n < 10000000) return (n / 1000).toFixed(1) + ' kB';
    return (n / 1000000).toFixed(2) + ' MB';
  }
  const rateNumber = (r) => (r >= 100 ? Math.round(r).toLocaleString('en-US') : Number(r.toFixed(1)).toString());
  const rate = (r) => (r == null ? '—' : rateNumber(r) + ' units/B');

  function duration(s) {
    s = Math.round(Math.abs(s));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }
  function ago(ts) {
    const s = Date.now() / 1000 - ts;
    if (s < -30) return 'in ' + duration(s);
    if (s < 5) return 'just now';
    return duration(s) + ' ago';
  }
  const utc = (ts) => new Date(ts * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const timeEl = (ts) => el('time', { datetime: new Date(ts * 1000).toISOString(), title: utc(ts), 'data-ts': ts }, ago(ts));
  const timeFull = (ts) => el('span', {}, utc(ts), el('span', { class: 'muted' }, ' (', timeEl(ts), ')'));

  // Relative times stay true while the page is open.
  setInterval(() => {
    for (const t of document.querySelectorAll('time[data-ts]')) t.textContent = ago(Number(t.dataset.ts));
  }, 15000);

  // ---- the API --------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** GET /api{path}: parsed JSON, or trimmed text; an ApiError with the API's code and message otherwise. */
  async function api(path, asText) {
    let r;
    try {
      r = await fetch('/api' + path, { cache: 'no-store', headers: { Accept: asText ? 'text/plain' : 'application/json' } });
    } catch (e) {
      throw new ApiError(0, 'unreachable', 'cannot reach the node');
    }
    if (!r.ok) {
      let code = 'http-' + r.status;
      let message = 'HTTP ' + r.status;
      try {
        const body = await r.json();
        if (body && body.error) ({ code, message } = body.error);
      } catch (_) {
        // not the API's JSON error shape: keep the status line
      }
      throw new ApiError(r.status, code, message);
    }
    return asText ? (await r.text()).trim() : r.json();
  }

  /** The API answered "no such thing" (404) or "that is not a valid key" (400). */
  const isMiss = (e) => e instanceof ApiError && (e.status === 404 || e.status === 400);
  /** The route itself is missing (an older node): callers fall back to what exists. */
  const isNoRoute = (e) => e instanceof ApiError && e.status === 404 && /^no such route/.test(e.message);

  const settle = (p) => p.then((value) => ({ value }), (error) => ({ error }));

  // ---- routing --------------------------------------------------------------------------------

  let renderId = 0;
  /** What the page shows now, for live updates: name, argument, and page-specific hooks. */
  let current = { name: null };

  const routes = [
    [/^$/, 'home', homePage],
    [/^block\/([0-9a-fA-F]{64})$/, 'block', blockPage],
    [/^tx\/([0-9a-fA-F]{64})$/, 'tx', txPage],
    [/^address\/([^/]+)$/, 'address', addressPage],
    [/^peers$/, 'peers', peersPage],
    [/^search\/(.*)$/, 'search', searchPage],
  ];

  function decode(s) {
    try {
      return decodeURIComponent(s);
    } catch (_) {
      return s;
    }
  }

  async function route() {
    const path = location.hash.replace(/^#\/?/, '');
    const id = ++renderId;
    const page = {
      stale: () => id !== renderId,
      show: (...nodes) => {
        if (id === renderId) put(view, ...nodes);
      },
    };
    let match = null;
    for (const [re, name, render] of routes) {
      const m = path.match(re);
      if (m) {
        match = { name, render, arg: m[1] === undefined ? null : decode(m[1]) };
        break;
      }
    }
    if (!match) match = { name: 'unknown', render: unknownPage, arg: path };
    current = { name: match.name, arg: match.arg };
    for (const a of document.querySelectorAll('header nav a')) {
      a.classList.toggle('active', (a.getAttribute('href') === '#/' && match.name === 'home') || a.getAttribute('href') === '#/' + match.name);
    }
    if (match.name !== 'search') searchInput.value = '';
    view.setAttribute('aria-busy', 'true');
    if (!view.firstChild || match.name !== 'home' || !home.loaded) put(view, el('p', { class: 'loading' }, 'Loading…'));
    try {
      await match.render(match.arg, page);
    } catch (e) {
      if (!page.stale()) page.show(errorPanel(e, match));
    } finally {
      if (!page.stale()) view.removeAttribute('aria-busy');
    }
  }

  function nothingMatches(query, why) {
    return el(
      'section',
      { id: 'nothing', class: 'panel nothing' },
      el('h1', {}, 'Nothing matches “', query, '”'),
      why ? el('p', {}, why) : null,
      el('p', { class: 'muted' }, 'Search takes a block height, a block hash or transaction id (64 hex digits), or an address.'),
      el('p', {}, el('a', { href: '#/' }, '← Latest blocks')),
    );
  }

  function errorPanel(e, match) {
    if (isMiss(e)) {
      return nothingMatches(match.arg ?? '', e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.');
    }
    const what = e instanceof ApiError ? (e.status ? e.code + ': ' : '') + e.message : String(e);
    return el('section', { class: 'panel error' }, el('h1', {}, 'Something went wrong'), el('p', {}, what),
      el('p', {}, el('button', { type: 'button', onclick: () => route() }, 'Try again')));
  }

  function unknownPage(arg, page) {
    page.show(el('section', { class: 'panel nothing', id: 'nothing' }, el('h1', {}, 'No such page'),
      el('p', {}, 'Nothing matches “#/', arg, '”. '), el('p', {}, el('a', { href: '#/' }, '← Latest blocks'))));
  }

  // ---- search ---------------------------------------------------------------------------------

  const ADDRESS = /^[a-z0-9]{1,83}1[02-9ac-hj-np-z]{6,}$/i; // bech32m: hrp, "1", data without 1 b i o

  /** Where a query leads: {href} of the page, or {why} nothing matches. */
  async function resolve(q) {
    if (!q) return { why: 'The search box is empty.' };
    // 64 hex digits first: such a string may be all digits, and is a hash, never a height.
    if (/^[0-9a-fA-F]{64}$/.test(q)) {
      const h = q.toLowerCase();
      for (const [path, href] of [['/block/', '#/block/'], ['/tx/', '#/tx/']]) {
        try {
          await api(path + h);
          return { href: href + h };
        } catch (e) {
          if (!isMiss(e)) throw e;
        }
      }
      return { why: 'No block and no transaction (confirmed or in the mempool) has this hash.' };
    }
    if (/^\d+$/.test(q)) {
      try {
        const hash = await api('/block-height/' + q, true);
        return { href: '#/block/' + hash };
      } catch (e) {
        if (!isMiss(e)) throw e;
        return { why: 'There is no block at height ' + q + ' on the best chain' + (tip.height != null ? ' (the tip is at ' + tip.height + ').' : '.') };
      }
    }
    if (ADDRESS.test(q)) {
      try {
        const a = await api('/address/' + encodeURIComponent(q));
        return { href: '#/address/' + encodeURIComponent(a.address) };
      } catch (e) {
        if (!isMiss(e)) throw e;
        return { why: 'This is not an address of this network: ' + e.message + '.' };
      }
    }
    return { why: 'This is not a height, a 64-digit hash or an address.' };
  }

  async function searchPage(q, page) {
    const query = q.trim();
    searchInput.value = query;
    page.show(el('p', { class: 'loading' }, 'Searching for “', query, '”…'));
    const found = await resolve(query);
    if (page.stale()) return;
    if (found.href) {
      location.replace(found.href); // the result takes the search's place in the history
    } else {
      page.show(nothingMatches(query, found.why));
    }
  }

  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = searchInput.value.trim();
    const hash = '#/search/' + encodeURIComponent(q);
    if (location.hash === hash) route();
    else location.hash = hash;
  });

  document.addEventListener('keydown', (ev) => {
    if (ev.key === '/' && document.activeElement !== searchInput && !/^(INPUT|TEXTAREA)$/.test(document.activeElement?.tagName ?? '')) {
      ev.preventDefault();
      searchInput.focus();
    }
  });

  // ---- shared pieces --------------------------------------------------------------------------

  /** A two-column table of label → value. */
  function fields(rows) {
    return el('table', { class: 'fields' },
      el('tbody', {}, rows.filter(Boolean).map(([k, v, cls]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', { class: cls }, v)))));
  }

  function table(id, headers, rows, empty) {
    if (!rows.length && empty) return el('p', { class: 'muted empty' }, empty);
    return el('table', { class: 'list', id },
      el('thead', {}, el('tr', {}, headers.map((h) => (Array.isArray(h) ? el('th', { class: h[1] }, h[0]) : el('th', {}, h))))),
      el('tbody', {}, rows));
  }

  function txParties(tx) {
    if (tx.kind === 'coinbase') return [el('span', { class: 'muted' }, 'new coins (block ' + tx.height + ')'), addressLink(tx.recipient, short(tx.recipient))];
    if (tx.kind === 'allocation') return [el('span', { class: 'muted' }, 'genesis allocation'), addressLink(tx.recipient, short(tx.recipient))];
    return [addressLink(tx.sender, short(tx.sender)), addressLink(tx.recipient, short(tx.recipient))];
  }

  /** A row of a block's transaction list. */
  function blockTxRow(tx) {
    const [from, to] = txParties(tx);
    return el('tr', { 'data-txid': tx.txid },
      el('td', {}, txLink(tx.txid, short(tx.txid))),
      el('td', {}, tx.kind),
      el('td', {}, from),
      el('td', {}, to),
      el('td', { class: 'num' }, coins(tx.amount)),
      el('td', { class: 'num' }, tx.fee != null ? coins(tx.fee) : '—'));
  }

  // ---- home: latest blocks, mempool, charts ----------------------------------------------------

  const tip = { height: null, hash: null };
  function setTip(height, hash) {
    if (height == null) return;
    tip.height = height;
    if (hash) tip.hash = hash;
    put(tipEl, 'Tip ', el('a', { href: hash ? '#/block/' + hash : '#/' }, int(height)));
  }

  /** Home data, kept between visits and updated live. chain: the newest CHART_BLOCKS + 1 blocks, newest first. */
  const home = { loaded: false, epoch: 0, chain: [], mempool: null, recent: null, fees: null, els: null, fresh: new Set() };

  async function loadChain() {
    const first = await api('/blocks');
    const chain = first.slice();
    while (chain.length && chain.length < CHART_BLOCKS + 1 && chain[chain.length - 1].height > 0) {
      const more = await settle(api('/blocks/' + (chain[chain.length - 1].height - 1)));
      if (more.error) break; // a reorganisation shortened the chain meanwhile: the next update redraws
      chain.push(...more.value);
    }
    return chain.slice(0, CHART_BLOCKS + 1);
  }

  async function loadMempool() {
    const [mp, recent, fees] = await Promise.all([settle(api('/mempool')), settle(api('/mempool/recent')), settle(api('/fee-estimates'))]);
    home.mempool = mp.value ?? { error: mp.error };
    home.recent = recent.value ?? { error: recent.error };
    home.fees = fees.value ?? null;
  }

  /**
   * Loads the home data. A block event during the fetch bumps home.epoch: the chain fetched is then
   * older than what the events built, and is dropped (the caller fetches again if it must).
   */
  async function loadHome() {
    const epoch = home.epoch;
    const [chain] = await Promise.all([loadChain(), loadMempool()]);
    if (home.loaded && epoch !== home.epoch) return false;
    home.chain = chain;
    home.loaded = true;
    if (chain.length) setTip(chain[0].height, chain[0].id);
    return true;
  }

  async function homePage(_, page) {
    if (!home.loaded) await refreshHome();
    else refreshHome(); // show what we have at once, then bring it up to date
    if (!home.loaded) throw homeError ?? new Error('the latest blocks could not be loaded');
    if (page.stale()) return;
    const els = {
      blocks: el('div', { class: 'slot' }),
      mempool: el('div', { class: 'slot' }),
      intervals: el('div', { class: 'slot' }),
      difficulty: el('div', { class: 'slot' }),
      fees: el('div', { class: 'slot' }),
    };
    home.els = els;
    page.show(
      el('div', { class: 'grid two' },
        el('section', { class: 'panel', id: 'latest-blocks' }, el('h2', {}, 'Latest blocks'), els.blocks),
        el('section', { class: 'panel', id: 'mempool' }, el('h2', {}, 'Mempool'), els.mempool)),
      el('div', { class: 'grid three' },
        el('section', { class: 'panel chart', id: 'chart-intervals' }, el('h2', {}, 'Block intervals'), els.intervals),
        el('section', { class: 'panel chart', id: 'chart-difficulty' }, el('h2', {}, 'Difficulty'), els.difficulty),
        el('section', { class: 'panel chart', id: 'chart-fees' }, el('h2', {}, 'Mempool fee rates'), els.fees)),
    );
    drawBlocks();
    drawMempool();
  }

  function onHome() {
    return current.name === 'home' && home.els && view.contains(home.els.blocks);
  }

  function drawBlocks() {
    if (!onHome()) return;
    const rows = home.chain.slice(0, 10).map((b) =>
      el('tr', { 'data-height': b.height, 'data-hash': b.id, class: home.fresh.has(b.id) ? 'fresh' : null },
        el('td', {}, blockLink(b.id, int(b.height))),
        el('td', {}, blockLink(b.id, short(b.id))),
        el('td', {}, timeEl(b.timestamp)),
        el('td', { class: 'num' }, int(b.tx_count)),
        el('td', { class: 'num' }, bytes(b.size))));
    put(home.els.blocks, table('blocks', ['Height', 'Hash', 'Time', ['Transactions', 'num'], ['Size', 'num']], rows, 'No blocks yet.'));
    home.fresh.clear();
    drawChainCharts();
  }

  function drawMempool() {
    if (!onHome()) return;
    const mp = home.mempool;
    const parts = [];
    if (!mp || mp.error) {
      parts.push(el('p', { class: 'muted' }, 'The mempool summary is not available: ', mp?.error?.message ?? 'not loaded', '.'));
    } else {
      parts.push(el('dl', { class: 'stats', id: 'mempool-stats' },
        el('div', {}, el('dt', {}, 'Transactions'), el('dd', { id: 'mempool-count' }, int(mp.count))),
        el('div', {}, el('dt', {}, 'Size'), el('dd', {}, bytes(mp.bytes))),
        el('div', {}, el('dt', {}, 'Total fees'), el('dd', {}, coinsEl(mp.total_fee)))));
    }
    if (home.fees && Object.keys(home.fees).length) {
      const targets = Object.keys(home.fees).map(Number).sort((a, b) => a - b).filter((t) => [1, 3, 6, 144].includes(t));
      if (targets.length) {
        parts.push(el('p', { class: 'fees' }, 'Fee estimates: ',
          targets.map((t, i) => [i ? ' · ' : '', el('span', { class: 'nowrap' }, 'next ', t === 1 ? 'block' : t + ' blocks', ' ', el('b', {}, rate(home.fees[t])))])));
      }
    }
    const recent = home.recent;
    if (Array.isArray(recent)) {
      parts.push(el('h3', {}, 'Newest transactions'));
      parts.push(table('mempool-recent', ['Transaction', ['Amount', 'num'], ['Fee', 'num'], ['Size', 'num'], ['Units/B', 'num']],
        recent.map((t) => el('tr', { 'data-txid': t.txid },
          el('td', {}, txLink(t.txid, short(t.txid))),
          el('td', { class: 'num' }, coins(t.amount)),
          el('td', { class: 'num' }, coins(t.fee)),
          el('td', { class: 'num' }, bytes(t.size)),
          el('td', { class: 'num' }, t.size ? rateNumber(t.fee / t.size) : '—'))),
        'Nothing is waiting: the mempool is empty.'));
    }
    put(home.els.mempool, ...parts);
    drawFeeChart();
  }

  // Live and polled updates of the home data.
  let mempoolBusy = false;
  let mempoolAgain = false;
  async function refreshMempool() {
    if (mempoolBusy) {
      mempoolAgain = true;
      return;
    }
    mempoolBusy = true;
    try {
      await loadMempool();
      drawMempool();
    } finally {
      mempoolBusy = false;
      if (mempoolAgain) {
        mempoolAgain = false;
        setTimeout(refreshMempool, 250);
      }
    }
  }

  let homeRefresh = null; // the refresh in flight
  let homeAgain = false; // asked for again while one was in flight
  let homeError = null;
  /** Reloads the home data and redraws; one at a time, a request meanwhile runs once more after it. */
  function refreshHome() {
    if (homeRefresh) {
      homeAgain = true;
      return homeRefresh;
    }
    homeRefresh = (async () => {
      try {
        do {
          homeAgain = false;
          const before = new Set(home.chain.map((b) => b.id));
          if (await loadHome()) {
            for (const b of home.chain.slice(0, 10)) if (before.size && !before.has(b.id)) home.fresh.add(b.id);
            drawBlocks();
          }
          drawMempool();
          homeError = null;
        } while (homeAgain);
      } catch (e) {
        homeError = e; // the next event or poll tries again
      } finally {
        homeRefresh = null;
      }
    })();
    return homeRefresh;
  }

  /** A block from the event stream: extends the chain we hold, or (a gap, a reorganisation) reloads it. */
  function onBlock(b) {
    if (b.in_best_chain === false) return;
    home.epoch++;
    if (tip.height == null || b.height >= tip.height) setTip(b.height, b.id);
    if (home.loaded) {
      const top = home.chain[0];
      if (top && top.id === b.id) return;
      if (top && b.previousblockhash === top.id) {
        home.chain.unshift(b);
        home.chain.length = Math.min(home.chain.length, CHART_BLOCKS + 1);
        home.fresh.add(b.id);
        drawBlocks();
        refreshMempool();
      } else {
        refreshHome();
      }
    }
    afterTipChange();
  }

  /** Pages other than home that show confirmations follow the tip. */
  function afterTipChange() {
    if (current.onTip) current.onTip();
  }

  // ---- charts (inline SVG) --------------------------------------------------------------------

  const W = 420; // about the width a chart is shown at on a laptop: 11px text stays readable
  const H = 240;
  const M = { left: 52, right: 10, top: 14, bottom: 30 };

  /** Steps a time axis reads well in: seconds, minutes, hours, days. */
  const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

  function niceStep(range, ticks, steps) {
    const raw = range / Math.max(1, ticks);
    if (steps && raw <= steps[steps.length - 1]) return steps.find((s) => s >= raw);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  }

  /** The frame of a chart: y grid and labels, x labels; returns the svg and the scales. */
  function frame(title, lo, hi, fmtY, xLabels, steps) {
    const plotW = W - M.left - M.right;
    const plotH = H - M.top - M.bottom;
    const step = niceStep(hi - lo, 4, steps);
    const y0 = Math.floor(lo / step) * step;
    const y1 = Math.max(y0 + step, Math.ceil(hi / step) * step);
    const y = (v) => M.top + plotH - ((v - y0) / (y1 - y0)) * plotH;
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart-svg' }, svg('title', {}, title));
    for (let v = y0, i = 0; v <= y1 + step / 2 && i < 20; v += step, i++) {
      root.append(svg('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'grid' }));
      root.append(svg('text', { x: M.left - 6, y: y(v) + 4, class: 'ylabel' }, fmtY(v)));
    }
    const n = xLabels.length;
    const band = plotW / Math.max(1, n);
    const x = (i) => M.left + band * i + band / 2;
    const every = Math.max(1, Math.ceil(n / 5));
    xLabels.forEach((label, i) => {
      if ((n - 1 - i) % every === 0) root.append(svg('text', { x: x(i), y: H - M.bottom + 16, class: 'xlabel' }, label));
    });
    root.append(svg('line', { x1: M.left, x2: W - M.right, y1: M.top + plotH, y2: M.top + plotH, class: 'axis' }));
    return { root, x, y, band, y0, y1, plotH };
  }

  /** Bars; values above opts.max (an outlier, say the wait after the genesis block) are cut off and marked. */
  function barChart(title, points, fmtY, opts = {}) {
    const values = points.map((p) => Math.max(0, p.value));
    const f = frame(title, 0, Math.max(opts.min ?? 1, Math.min(Math.max(...values), opts.max ?? Infinity)), fmtY, points.map((p) => p.label), opts.steps);
    const width = Math.max(1, f.band * 0.75);
    points.forEach((p, i) => {
      const clipped = p.value > f.y1;
      const top = f.y(Math.min(f.y1, Math.max(0, p.value)));
      f.root.append(svg('rect', { x: f.x(i) - width / 2, y: top, width, height: Math.max(0.5, f.y(f.y0) - top), class: 'bar' + (clipped ? ' clipped' : '') },
        svg('title', {}, p.tip)));
      if (clipped) {
        const cx = f.x(i);
        f.root.append(svg('path', { d: `M${cx - 4} ${top + 1} L${cx} ${top - 6} L${cx + 4} ${top + 1} Z`, class: 'clipmark' }, svg('title', {}, p.tip)));
      }
    });
    if (opts.mean != null && opts.mean <= f.y1) {
      const ym = f.y(opts.mean);
      f.root.append(svg('line', { x1: M.left, x2: W - M.right, y1: ym, y2: ym, class: 'mean' }));
      f.root.append(svg('text', { x: W - M.right - 4, y: ym - 5, class: 'meanlabel' }, 'mean ' + fmtY(opts.mean)));
    }
    return f.root;
  }

  function lineChart(title, points, fmtY) {
    const vs = points.map((p) => p.value);
    let lo = Math.min(...vs);
    let hi = Math.max(...vs);
    if (hi - lo < Math.abs(hi) * 1e-9 || hi === lo) {
      const pad = Math.abs(hi) * 0.5 || 1;
      lo -= pad;
      hi += pad;
    } else {
      const pad = (hi - lo) * 0.1;
      lo = Math.max(0, lo - pad);
      hi += pad;
    }
    const f = frame(title, lo, hi, fmtY, points.map((p) => p.label));
    const d = points.map((p, i) => (i ? 'L' : 'M') + f.x(i).toFixed(1) + ' ' + f.y(p.value).toFixed(1)).join(' ');
    f.root.append(svg('path', { d, class: 'line' }));
    points.forEach((p, i) => f.root.append(svg('circle', { cx: f.x(i), cy: f.y(p.value), r: 2.5, class: 'dot' }, svg('title', {}, p.tip))));
    return f.root;
  }

  const fmtSeconds = (v) => (v >= 86400 ? +(v / 86400).toFixed(1) + ' d' : v >= 3600 ? +(v / 3600).toFixed(1) + ' h' : v >= 120 ? +(v / 60).toFixed(1) + ' min' : Math.round(v) + ' s');
  const fmtDifficulty = (v) => (Math.abs(v) >= 1e6 ? v.toExponential(2) : +v.toPrecision(4) + '');

  function drawChainCharts() {
    if (!onHome()) return;
    const asc = home.chain.slice().reverse(); // oldest first
    const intervals = [];
    for (let i = 1; i < asc.length; i++) {
      const s = asc[i].timestamp - asc[i - 1].timestamp;
      intervals.push({ label: String(asc[i].height), value: s, tip: `block ${asc[i].height}: ${s < 0 ? '−' : ''}${duration(s)} after block ${asc[i - 1].height}` });
    }
    if (intervals.length) {
      const secs = intervals.map((p) => p.value);
      const mean = secs.reduce((a, b) => a + b, 0) / secs.length;
      const sorted = secs.slice().sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      const p90 = sorted[Math.floor((sorted.length - 1) * 0.9)];
      const longest = sorted[sorted.length - 1];
      const max = Math.max(p90 * 1.5, median * 3, 60); // taller bars are cut off, marked ▲
      put(home.els.intervals,
        barChart('Time between consecutive blocks', intervals, fmtSeconds, { mean, max, steps: TIME_STEPS }),
        el('p', { class: 'caption' }, `Last ${intervals.length} blocks (by height): median ${duration(median)}, mean ${duration(mean)}, longest ${duration(longest)}`,
          longest > max ? ' (▲ bars cut off).' : '.'));
    } else {
      put(home.els.intervals, el('p', { class: 'muted empty' }, 'Needs at least two blocks.'));
    }
    const diff = asc.slice(-CHART_BLOCKS).map((b) => ({ label: String(b.height), value: b.difficulty, tip: `block ${b.height}: difficulty ${b.difficulty} (bits ${b.bits})` }));
    if (diff.length) {
      const last = diff[diff.length - 1].value;
      const first = diff[0].value;
      put(home.els.difficulty, 
        lineChart('Difficulty by block height', diff, fmtDifficulty),
        el('p', { class: 'caption' }, `Now ${fmtDifficulty(last)}` + (diff.length > 1 ? `, ${first ? ((last / first - 1) * 100).toFixed(1) : '—'}% over the last ${diff.length} blocks.` : '.')));
    }
  }

  function drawFeeChart() {
    if (!onHome()) return;
    const mp = home.mempool;
    if (!mp || mp.error || !Array.isArray(mp.fee_histogram)) {
      put(home.els.fees, el('p', { class: 'muted empty' }, 'No fee-rate histogram from this node.'));
      return;
    }
    if (!mp.fee_histogram.length) {
      put(home.els.fees, el('p', { class: 'muted empty' }, 'The mempool is empty: every fee rate gets into the next block.'));
      return;
    }
    const buckets = mp.fee_histogram.slice().sort((a, b) => a[0] - b[0]); // lowest rate first
    const points = buckets.map(([min, size], i) => {
      const next = buckets[i + 1];
      const range = next ? `${min}–${next[0]}` : `≥ ${min}`;
      return { label: '≥' + min, value: size, tip: `${range} units/B: ${int(size)} bytes waiting` };
    });
    put(home.els.fees, 
      barChart('Bytes waiting in the mempool, by fee rate', points, (v) => (v >= 10000 ? +(v / 1000).toFixed(1) + ' kB' : Math.round(v) + ' B'), { min: 100 }),
      el('p', { class: 'caption' }, 'Fee rate in base units per byte (x axis: bucket floor), bytes of transactions waiting at that rate.'));
  }

  // ---- block page -----------------------------------------------------------------------------

  async function blockPage(hash, page) {
    hash = hash.toLowerCase();
    const [b, st] = await Promise.all([api('/block/' + hash), settle(api('/block/' + hash + '/status'))]);
    if (page.stale()) return;
    const status = st.value ?? { in_best_chain: b.in_best_chain, height: b.height, next_best: null };
    const conf = el('span', { id: 'confirmations' });
    const showConfirmations = () => {
      const best = status.in_best_chain;
      const n = best && tip.height != null ? Math.max(b.confirmations, tip.height - b.height + 1) : b.confirmations;
      put(conf, best ? el('span', { class: 'ok' }, 'In the best chain') : el('span', { class: 'warn' }, 'Not in the best chain (stale)'),
        best ? ', ' + int(n) + (n === 1 ? ' confirmation' : ' confirmations') : '');
    };
    showConfirmations();
    const txsSlot = el('div', { class: 'slot' });
    const nav = el('p', { class: 'pager' },
      b.previousblockhash ? blockLink(b.previousblockhash, '← Block ' + int(b.height - 1)) : el('span', { class: 'muted' }, 'Genesis block'),
      status.next_best ? blockLink(status.next_best, 'Block ' + int(b.height + 1) + ' →') : null);
    page.show(
      el('section', { class: 'panel', id: 'block' },
        el('h1', {}, 'Block ', el('span', { id: 'block-height' }, int(b.height))),
        nav,
        fields([
          ['Hash', el('span', { class: 'hash', id: 'block-hash' }, b.id)],
          ['Status', conf],
          ['Time', timeFull(b.timestamp)],
          ['Median time past', utc(b.mediantime)],
          ['Transactions', int(b.tx_count)],
          ['Size', int(b.size) + ' bytes'],
          ['Previous block', b.previousblockhash ? blockLink(b.previousblockhash) : el('span', { class: 'muted' }, 'none (genesis)')],
          status.next_best ? ['Next block', blockLink(status.next_best)] : null,
          ['Difficulty', fmtDifficulty(b.difficulty)],
          ['Bits', b.bits, 'mono'],
          ['Nonce', b.nonce, 'mono'],
          ['Version', b.version],
          ['Merkle root', b.merkle_root, 'hash'],
          ['State commitment', b.state_commitment, 'hash'],
          ['Chain work', b.chainwork.replace(/^0+(?=.)/, '0x'), 'mono'],
        ])),
      el('section', { class: 'panel', id: 'block-txs' }, el('h2', {}, 'Transactions'), txsSlot));
    current.onTip = () => {
      showConfirmations();
      if (status.in_best_chain && !status.next_best) {
        // This was the tip: link the block that follows it once there is one.
        settle(api('/block/' + hash + '/status')).then(({ value }) => {
          if (!page.stale() && value && value.next_best && !status.next_best) {
            status.next_best = value.next_best;
            nav.append(blockLink(value.next_best, 'Block ' + int(b.height + 1) + ' →'));
          }
        });
      }
    };
    await showBlockTxs(b, 0, txsSlot, page);
  }

  async function showBlockTxs(b, start, slot, page) {
    let rows;
    try {
      const txs = await api('/block/' + b.id + '/txs' + (start ? '/' + start : ''));
      rows = txs.map(blockTxRow);
    } catch (e) {
      if (!isNoRoute(e)) throw e;
      // An older node without /txs: list the ids.
      const ids = (await api('/block/' + b.id + '/txids')).slice(start, start + TXS_PER_PAGE);
      rows = ids.map((id) => el('tr', { 'data-txid': id }, el('td', { colspan: 6 }, txLink(id))));
    }
    if (page.stale()) return;
    const end = start + rows.length;
    const go = (s) => () => showBlockTxs(b, s, slot, page).catch((e) => put(slot, el('p', { class: 'error' }, e.message)));
    put(slot, 
      table('txs', ['Transaction', 'Kind', 'From', 'To', ['Amount', 'num'], ['Fee', 'num']], rows, 'No transactions.'),
      b.tx_count > TXS_PER_PAGE
        ? el('p', { class: 'pager' },
          el('button', { type: 'button', disabled: start === 0, onclick: go(Math.max(0, start - TXS_PER_PAGE)) }, '← Previous ' + TXS_PER_PAGE),
          el('span', {}, `${int(start + 1)}–${int(end)} of ${int(b.tx_count)}`),
          el('button', { type: 'button', disabled: end >= b.tx_count, onclick: go(end) }, 'Next ' + TXS_PER_PAGE + ' →'))
        : null);
  }

  // ---- transaction page -----------------------------------------------------------------------

  async function txPage(txid, page) {
    txid = txid.toLowerCase();
    const tx = await api('/tx/' + txid);
    if (page.stale()) return;
    const s = tx.status || {};
    const conf = el('span', { id: 'tx-status' });
    const showStatus = () => {
      if (s.confirmed) {
        const n = tip.height != null ? Math.max(s.confirmations, tip.height - s.block_height + 1) : s.confirmations;
        put(conf, el('span', { class: 'ok' }, 'Confirmed'), ', ' + int(n) + (n === 1 ? ' confirmation' : ' confirmations'));
      } else {
        put(conf, el('span', { class: 'warn' }, 'Pending'), ' in the mempool: not in a block yet');
      }
    };
    showStatus();
    const kindText = { coinbase: 'Coinbase (block reward and fees)', transfer: 'Transfer', allocation: 'Genesis allocation' }[tx.kind] ?? tx.kind;
    page.show(
      el('section', { class: 'panel', id: 'tx' },
        el('h1', {}, 'Transaction'),
        fields([
          ['Transaction id', el('span', { class: 'hash', id: 'txid' }, tx.txid)],
          ['Status', conf],
          s.confirmed ? ['Block', [blockLink(s.block_hash, int(s.block_height)), ' ', el('span', { class: 'muted' }, '(', blockLink(s.block_hash, short(s.block_hash)), ')')]] : null,
          s.confirmed ? ['Block time', timeFull(s.block_time)] : null,
          ['Kind', kindText],
          tx.sender ? ['From', addressLink(tx.sender)] : null,
          ['To', addressLink(tx.recipient)],
          ['Amount', coinsEl(tx.amount)],
          tx.fee != null ? ['Fee', [coinsEl(tx.fee), el('span', { class: 'muted' }, ' (', rate(tx.fee / tx.size), ')')]] : null,
          tx.nonce != null ? ['Nonce', int(tx.nonce)] : null,
          tx.kind === 'coinbase' ? ['Coinbase height', int(tx.height)] : null,
          ['Size', int(tx.size) + ' bytes'],
          tx.sender_public_key ? ['Sender public key', tx.sender_public_key, 'hash'] : null,
          tx.signature ? ['Signature', tx.signature, 'hash'] : null,
          s.confirmed
            ? ['Merkle proof', [el('a', { href: '/api/tx/' + tx.txid + '/merkle-proof', id: 'merkle-proof' }, 'inclusion proof (JSON)'),
              el('span', { class: 'muted' }, ' that this transaction is in block ' + int(s.block_height))]]
            : null,
          ['JSON', el('a', { href: '/api/tx/' + tx.txid }, '/api/tx/' + short(tx.txid))],
        ])));
    // A pending transaction is shown again once a block takes it; a confirmed one counts confirmations.
    current.onTip = s.confirmed ? showStatus : () => route();
  }

  // ---- address page ---------------------------------------------------------------------------

  function historyRow(tx, self) {
    const s = tx.status || {};
    let dir;
    let sign;
    let other;
    if (tx.kind === 'transfer' && tx.sender === self && tx.recipient === self) {
      [dir, sign, other] = ['to self', '', self];
    } else if (tx.kind === 'transfer' && tx.sender === self) {
      [dir, sign, other] = ['sent', 'out', tx.recipient];
    } else if (tx.kind === 'coinbase') {
      [dir, sign, other] = ['mined', 'in', null];
    } else if (tx.kind === 'allocation') {
      [dir, sign, other] = ['genesis', 'in', null];
    } else {
      [dir, sign, other] = ['received', 'in', tx.sender];
    }
    const amount = sign === 'out' ? -(tx.amount + (tx.fee ?? 0)) : sign === 'in' ? tx.amount : -(tx.fee ?? 0);
    return el('tr', { 'data-txid': tx.txid, class: s.confirmed ? null : 'pending' },
      el('td', {}, txLink(tx.txid, short(tx.txid))),
      el('td', {}, s.confirmed ? [blockLink(s.block_hash, int(s.block_height)), ' ', timeEl(s.block_time)] : el('span', { class: 'warn' }, 'pending')),
      el('td', {}, dir),
      el('td', {}, other ? addressLink(other, short(other)) : el('span', { class: 'muted' }, tx.kind === 'coinbase' ? 'block reward' : 'allocation')),
      el('td', { class: 'num ' + (amount < 0 ? 'out' : 'in') }, (amount > 0 ? '+' : '') + coins(amount)),
      el('td', { class: 'num' }, tx.fee != null ? coins(tx.fee) : '—'));
  }

  async function addressPage(address, page) {
    const a = await api('/address/' + encodeURIComponent(address));
    if (page.stale()) return;
    const m = a.mempool || {};
    const historySlot = el('div', { class: 'slot' }, el('p', { class: 'loading' }, 'Loading history…'));
    page.show(
      el('section', { class: 'panel', id: 'address' },
        el('h1', {}, 'Address'),
        el('p', { class: 'hash big', id: 'address-text' }, a.address),
        el('dl', { class: 'stats' },
          el('div', {}, el('dt', {}, 'Balance'), el('dd', { id: 'balance' }, coinsEl(a.balance))),
          el('div', {}, el('dt', {}, 'Immature'), el('dd', {}, coinsEl(a.immature_balance))),
          el('div', {}, el('dt', {}, 'Pending'), el('dd', {},
            m.tx_count ? [el('span', { class: 'in' }, '+' + coins(m.incoming)), ' ', el('span', { class: 'out' }, '−' + coins(m.outgoing))] : '—')),
          el('div', {}, el('dt', {}, 'Transactions'), el('dd', {}, int(a.tx_count)))),
        fields([
          ['Spendable balance', coinsEl(a.balance)],
          ['Immature (coinbase rewards)', coinsEl(a.immature_balance)],
          ['Pending in the mempool', m.tx_count ? [int(m.tx_count) + ' transaction' + (m.tx_count === 1 ? '' : 's') + ': ',
            el('span', { class: 'in' }, '+' + coins(m.incoming)), ' incoming, ', el('span', { class: 'out' }, '−' + coins(m.outgoing)), ' outgoing (amounts and fees)'] : 'nothing'],
          ['Nonce', [int(a.nonce), m.pending_nonce != null && m.pending_nonce !== a.nonce ? el('span', { class: 'muted' }, ' (next new transfer: ' + int(m.pending_nonce) + ')') : null]],
          ['Confirmed transactions', int(a.tx_count)],
          ['JSON', el('a', { href: '/api/address/' + encodeURIComponent(a.address) }, '/api/address/' + short(a.address))],
        ])),
      el('section', { class: 'panel', id: 'address-history' }, el('h2', {}, 'History'), historySlot));
    let first;
    try {
      first = await api('/address/' + encodeURIComponent(a.address) + '/txs');
    } catch (e) {
      if (!isNoRoute(e)) throw e;
      put(historySlot, el('p', { class: 'muted' }, 'This node does not serve address histories.'));
      return;
    }
    if (page.stale()) return;
    const tbody = el('tbody');
    const more = el('p', { class: 'pager' });
    const add = (txs) => tbody.append(...txs.map((t) => historyRow(t, a.address)));
    const confirmedIn = (txs) => txs.filter((t) => t.status && t.status.confirmed);
    let shown = 0;
    const older = (lastSeen) => {
      const button = el('button', { type: 'button', id: 'older' }, 'Older →');
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          const page2 = await api('/address/' + encodeURIComponent(a.address) + '/txs/chain/' + lastSeen);
          add(page2);
          shown += page2.length;
          pager(page2, page2.length >= TXS_PER_PAGE);
        } catch (e) {
          put(more, el('span', { class: 'error' }, e.message));
        }
      });
      return button;
    };
    const pager = (txs, full) => {
      const confirmed = confirmedIn(txs);
      const last = confirmed.length ? confirmed[confirmed.length - 1].txid : null;
      put(more, el('span', { class: 'muted' }, `${int(shown)} of ${int(a.tx_count)} confirmed shown`), ' ', full && last ? older(last) : null);
    };
    add(first);
    const confirmedFirst = confirmedIn(first);
    shown = confirmedFirst.length;
    if (!first.length) {
      put(historySlot, el('p', { class: 'muted empty' }, 'No transactions yet.'));
      return;
    }
    put(historySlot, 
      el('table', { class: 'list', id: 'history' },
        el('thead', {}, el('tr', {}, ['Transaction', 'Block', 'What', 'Counterparty'].map((h) => el('th', {}, h)), el('th', { class: 'num' }, 'Amount'), el('th', { class: 'num' }, 'Fee'))),
        tbody),
      more);
    pager(first, confirmedFirst.length >= TXS_PER_PAGE && a.tx_count > shown);
  }

  // ---- peers ----------------------------------------------------------------------------------

  async function peersPage(_, page) {
    const peers = await api('/peers');
    if (page.stale()) return;
    const rows = peers.map((p) =>
      el('tr', {},
        el('td', { class: 'mono' }, p.address),
        el('td', {}, p.direction),
        el('td', { class: 'num' }, int(p.height)),
        el('td', {}, p.agent),
        el('td', {}, timeEl(p.connected_since)),
        el('td', { class: 'num' }, bytes(p.bytes_in)),
        el('td', { class: 'num' }, bytes(p.bytes_out)),
        el('td', { class: 'mono' }, p.listen_address || '—')));
    page.show(el('section', { class: 'panel', id: 'peers' },
      el('h1', {}, 'Peers'),
      el('p', { class: 'muted' }, peers.length === 1 ? 'One connected peer.' : int(peers.length) + ' connected peers.'),
      table('peer-list', ['Address', 'Direction', ['Height', 'num'], 'Agent', 'Connected', ['Received', 'num'], ['Sent', 'num'], 'Listens on'], rows,
        'No peers are connected: this node is on its own.')));
    current.onTip = null;
  }

  // ---- live updates: Server-Sent Events, else polling -----------------------------------------

  let pollTimer = null;
  let source = null;

  function setLive(state, text) {
    liveEl.dataset.state = state;
    liveEl.textContent = text;
  }

  async function poll() {
    try {
      const hash = await api('/blocks/tip/hash', true);
      if (hash !== tip.hash) {
        const b = await api('/block/' + hash);
        onBlock(b);
      }
      if (current.name === 'home') refreshMempool();
      if (liveEl.dataset.state === 'offline') setLive('polling', 'polling every 10 s');
    } catch (_) {
      setLive('offline', 'node unreachable');
    }
  }

  function startPolling() {
    if (pollTimer) return;
    setLive('polling', 'polling every 10 s');
    pollTimer = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  function connectEvents() {
    if (!('EventSource' in window)) {
      startPolling();
      return;
    }
    source = new EventSource('/api/events');
    let opened = false;
    source.addEventListener('open', () => {
      stopPolling();
      setLive('live', 'live');
      // Whatever happened while we were not listening: catch up once.
      if (opened || home.loaded) {
        poll();
      }
      opened = true;
    });
    source.addEventListener('block', (ev) => {
      try {
        onBlock(JSON.parse(ev.data));
      } catch (_) {
        poll();
      }
    });
    source.addEventListener('tx', () => {
      if (current.name === 'home') refreshMempool();
    });
    source.addEventListener('reorg', () => {
      refreshHome();
      if (current.name === 'block' || current.name === 'tx') route();
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        // The node refused the stream (no /api/events, say): poll, and try the stream again later.
        source = null;
        startPolling();
        setTimeout(connectEvents, 60000);
      } else {
        // The browser reconnects by itself; poll meanwhile.
        startPolling();
        setLive('polling', 'reconnecting…');
      }
    });
  }

  // ---- start ----------------------------------------------------------------------------------

  window.addEventListener('hashchange', route);
  api('/blocks/tip/hash', true)
    .then((hash) => api('/block/' + hash))
    .then((b) => {
      if (tip.height == null || b.height > tip.height) setTip(b.height, b.id);
    })
    .catch(() => {});
  route();
  connectEvents();
})();
