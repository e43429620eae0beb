/* Staff dashboard of the peer exchange. Plain JS, no framework, no external requests. Learner text goes in
 * only with textContent; every string comes translated from the server (staff_ui.STAFF_STRINGS). */
window.MlcourseStaffDashboard = function (runtime, root) {
  "use strict";
  var box = root && root.querySelector(".mlc-staff");
  if (!box) { return; }
  var boot = JSON.parse(box.querySelector("script[type='application/json']").textContent);
  var T = boot.strings, uid = boot.uid, lang = boot.lang, NS = "http://www.w3.org/2000/svg";
  var q = {waiting_page: 1, exchanges_page: 1, page_size: boot.page_size, status: "all", country: ""};
  var data = null, busy = false, picked = {}, names = {}, pending = null;
  var live = $(".mlc-s-live"), errBox = $(".mlc-s-error"), dlg = $(".mlc-s-dialog");

  function $(sel, scope) { return (scope || box).querySelector(sel); }
  function mk(tag, attrs, kids, svg) {
    var n = svg ? document.createElementNS(NS, tag) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] != null) { n.setAttribute(k, attrs[k]); } });
    return add(n, kids);
  }
  function add(n, kids) {
    [].concat(kids == null ? [] : kids).forEach(function (k) {
      if (k != null && k !== "") { n.appendChild(typeof k === "object" ? k : document.createTextNode(String(k))); }
    });
    return n;
  }
  function s(tag, attrs, kids) { return mk(tag, attrs, kids, true); }
  function clear(n) { n.textContent = ""; return n; }
  function fmt(str, p) { return str.replace(/%\((\w+)\)s/g, function (m, k) { return p[k]; }); }
  function announce(msg) { live.textContent = ""; setTimeout(function () { live.textContent = msg; }, 50); }
  function showError(msg) { errBox.textContent = msg || ""; errBox.hidden = !msg; }
  function csrf() { var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/); return m ? decodeURIComponent(m[1]) : ""; }
  function num(x, d) {
    return x == null ? T.not_measured : Number(x).toLocaleString(lang, {minimumFractionDigits: d, maximumFractionDigits: d});
  }
  function pct(x) { return x == null ? T.not_measured : Number(x).toLocaleString(lang, {style: "percent"}); }
  function when(iso) { return new Date(iso).toLocaleString(lang, {dateStyle: "medium", timeStyle: "short"}); }
  function reason(r) { return T.reasons[r] || r; }
  function sr(text) { return mk("span", {"class": "mlc-sr"}, " " + text); }
  function small(label, attrs) { return mk("button", Object.assign({type: "button", "class": "mlc-button mlc-secondary mlc-s-small"}, attrs), label); }

  function post(handler, payload) {
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "XMLHttpRequest"},
      body: JSON.stringify(payload || {})
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (d) {
        if (!resp.ok) { var e = new Error(d.error || T.network_error); e.code = d.code; e.details = d.details || {}; throw e; }
        return d;
      });
    }, function () { throw new Error(T.network_error); });
  }

  /* Load the overview and draw it; focus that sat on a redrawn control goes to its successor (same data-key)
   * or else to the heading of the section the action came from. */
  function load(key, fallback) {
    return post("staff_overview", q).then(function (d) {
      data = d; render();
      var a = document.activeElement;
      if (a && a !== document.body && box.contains(a) && !a.disabled && !a.closest("[hidden]")) { return; }
      var next = key && box.querySelector("[data-key='" + key + "']");
      if (next || fallback) { (next || fallback).focus(); }
    }).catch(function (err) { showError(err.message); });
  }

  /* One action at a time: busy button, result announced, then the overview is loaded again. `ok` answers the
   * message to announce; `fail` may handle an error itself (returning true). */
  function act(btn, handler, payload, ok, fail) {
    if (busy) { return; }
    busy = true; showError("");
    btn.setAttribute("aria-disabled", "true"); btn.classList.add("is-busy");
    announce(T.working);
    var key = btn.getAttribute("data-key"), part = btn.closest(".mlc-s-part"), head = part && $("h3", part);
    post(handler, payload).then(function (res) {
      var msg = ok(res);
      return load(key, head).then(function () { announce(msg || T.updated); });
    }).catch(function (err) {
      if (!(fail && fail(err))) { showError(err.message); announce(err.message); }
    }).then(function () { busy = false; btn.removeAttribute("aria-disabled"); btn.classList.remove("is-busy"); });
  }

  /* ---- drawing ---------------------------------------------------------------------------------------- */
  function render() {
    box.querySelectorAll("[data-count]").forEach(function (n) {
      var k = n.getAttribute("data-count"), v = data.counts[k] || 0;
      $("dd", n).textContent = v.toLocaleString(lang);
      n.classList.toggle("is-alert", (k === "stalled" || k === "waiting_past_window") && v > 0);
    });
    renderWaiting(data.waiting);
    renderExchanges(data.exchanges);
    renderCountries();
    renderMatrix(data.matrix);
    renderRecip(data.reciprocity, data.flows);
    renderRatings(data.ratings);
    add(clear($("datalist")), Object.keys(names).map(function (id) { return mk("option", {value: id, label: names[id]}); }));
  }

  // A real table; under 40rem the CSS stacks each row as a card, so explicit roles keep the table semantics.
  function table(caption, heads, rows, cls) {
    var row = function (cells, th) {
      return mk("tr", {role: "row"}, cells.map(function (c, i) {
        return th ? mk("th", {scope: "col", role: "columnheader"}, c) : i ? mk("td", {role: "cell", "data-label": heads[i]}, c)
          : mk("th", {scope: "row", role: "rowheader"}, c);
      }));
    };
    return mk("table", {role: "table", "class": cls}, [mk("caption", {}, caption),
      mk("thead", {role: "rowgroup"}, row(heads, true)), mk("tbody", {role: "rowgroup"}, rows.map(function (r) { return row(r); }))]);
  }

  function pager(kind, p) {
    var g = $("[data-pager='" + kind + "']");
    g.hidden = p.pages <= 1;
    q[kind + "_page"] = p.page;
    $(".mlc-s-pageno", g).textContent = fmt(T.page, p);
    g.querySelectorAll("button").forEach(function (b) {
      var to = p.page + Number(b.getAttribute("data-step"));
      b.disabled = to < 1 || to > p.pages;
    });
  }

  function empty(wrap, text) { wrap.appendChild(mk("p", {"class": "mlc-notice"}, text)); }

  function renderWaiting(w) {
    $(".mlc-s-wtotal").textContent = fmt(T.waiting_total, {count: w.total});
    var wrap = clear($(".mlc-s-wtable"));
    if (!w.rows.length) { empty(wrap, T.waiting_empty); } else {
      wrap.appendChild(table(T.waiting_caption, [T.h_name, T.h_country, T.h_org, T.h_hours, T.h_first, T.h_why],
        w.rows.map(function (r) {
          var name = r.name || r.learner_id;
          names[r.id] = name + " (" + r.country_name + ")";
          var cb = mk("input", {type: "checkbox", "data-pick": r.id, "data-key": "w" + r.id});
          cb.checked = !!picked[r.id];
          return [mk("label", {"class": "mlc-s-pick"}, [cb, mk("span", {dir: "auto"}, name)]), r.country_name,
            T.org_types[r.organisation_type] || r.organisation_type, num(r.hours, 1), r.first_in_line ? T.yes : T.no,
            T["why_" + r.why] || r.why];
        }), "mlc-s-stack"));
    }
    pager("waiting", w);
    showPicked();
  }

  function showPicked() { $(".mlc-s-picked").textContent = fmt(T.selected, {count: Object.keys(picked).length}); }

  function renderExchanges(x) {
    $(".mlc-s-xtotal").textContent = fmt(T.exchanges_total, {count: x.total});
    var wrap = clear($(".mlc-s-xtable"));
    if (!x.rows.length) { empty(wrap, T.exchanges_empty); } else {
      wrap.appendChild(table(T.exchanges_caption, [T.h_exchange, T.h_members, T.h_reasons, T.h_reviews, T.h_recip,
        T.h_last, T.h_actions], x.rows.map(exchangeRow), "mlc-s-stack"));
    }
    pager("exchanges", x);
  }

  function exchangeRow(e) {
    var who = {}, what = fmt(T.exchange_n, {id: e.id});
    var members = mk("ul", {"class": "mlc-s-list"}, e.members.map(function (m) {
      who[m.id] = m.name;
      names[m.id] = m.name + " (" + m.country_name + ")";
      return mk("li", {}, [mk("span", {dir: "auto"}, m.name), " (" + m.country_name + ")", mk("br"),
        mk("small", {}, (T["step_" + m.step] || m.step) + " · " +
          fmt(T.given_received, {given: m.reviews_given, received: m.reviews_received}))]);
    }));
    var reviews = e.reviews.length ? mk("ul", {"class": "mlc-s-list"}, e.reviews.map(function (r) {
      var label = fmt(T.review_n, {id: r.id});
      return mk("li", {"class": r.hidden ? "is-hidden" : null}, [
        fmt(T.review_line, {from: who[r.reviewer] || "?", to: who[r.reviewee] || "?"}) + " · " +
          (r.helpfulness ? fmt(T.rated, {value: r.helpfulness}) : T.not_rated) + " ",
        r.hidden ? mk("strong", {"class": "mlc-s-tag"}, T.hidden) : null,
        small([r.hidden ? T.unhide : T.hide, sr(label)], {"data-review": r.id, "data-hidden": r.hidden ? "1" : null,
          "data-key": "r" + r.id})]);
    })) : T.no_reviews;
    return [["#" + e.id + " ", mk("span", {"class": "mlc-s-st is-" + e.status}, T["st_" + e.status] || e.status)],
      members, e.reasons.map(reason).join("; "), reviews, num(e.reciprocity.index, 2), when(e.last_activity),
      e.status === "closed" ? "" : small([T.dissolve, sr(what)], {"data-dissolve": e.id, "data-key": "x" + e.id})];
  }

  function renderCountries() {
    var sel = $("[data-filter='country']"), known = {};
    var region = function (c) { try { return new Intl.DisplayNames([lang], {type: "region"}).of(c); } catch (e) { return c; } };
    data.matrix.countries.forEach(function (c) { known[c.code] = c.name; });
    data.waiting.rows.forEach(function (r) { known[r.country] = r.country_name; });
    Object.keys(data.waiting.by_country || {}).concat(q.country ? [q.country] : []).forEach(function (c) {
      known[c] = known[c] || region(c);
    });
    while (sel.options.length > 1) { sel.remove(1); }
    Object.keys(known).filter(Boolean).sort(function (a, b) { return known[a].localeCompare(known[b], lang); })
      .forEach(function (c) { sel.add(new Option(known[c], c)); });
    sel.value = q.country;
  }

  // Heat map: reviewer country (rows) -> reviewed country (columns); four shades plus "none", legend in text.
  function renderMatrix(m) {
    var wrap = clear($(".mlc-s-matrix")), cs = m.countries, n = cs.length, val = {}, max = 1, C = 44, L = 40;
    if (!n) { empty(wrap, T.matrix_empty); return; }
    m.cells.forEach(function (c) { val[c.from + c.to] = c.reviews; max = Math.max(max, c.reviews); });
    var shade = function (v) { return v ? Math.max(1, Math.ceil(v * 4 / max)) : 0; };
    var size = L + n * C + 2;
    var svg = s("svg", {role: "img", width: size, height: size, viewBox: "0 0 " + size + " " + size,
      "aria-labelledby": uid + "-mt " + uid + "-md", "class": "mlc-s-heat"},
      [s("title", {id: uid + "-mt"}, T.matrix_title), s("desc", {id: uid + "-md"}, T.matrix_desc)]);
    cs.forEach(function (a, i) {
      var mid = L + i * C + C / 2;
      svg.appendChild(s("text", {x: L - 6, y: mid, "text-anchor": "end", "dominant-baseline": "central"}, a.code));
      svg.appendChild(s("text", {x: mid, y: L - 10, "text-anchor": "middle"}, a.code));
      cs.forEach(function (b, j) {
        var v = val[a.code + b.code] || 0, k = shade(v), x = L + j * C;
        svg.appendChild(s("g", {"class": "mlc-s-l" + k}, [s("title", {}, fmt(T.cell_title, {from: a.name, to: b.name, count: v})),
          s("rect", {x: x + 1, y: L + i * C + 1, width: C - 2, height: C - 2, rx: 3}),
          s("text", {x: x + C / 2, y: L + i * C + C / 2, "text-anchor": "middle", "dominant-baseline": "central"}, v)]));
      });
    });
    var legend = mk("p", {"class": "mlc-s-legend"}, T.legend);
    [0, 1, 2, 3, 4].forEach(function (k) {
      var lo = k ? Math.floor((k - 1) * max / 4) + 1 : 0, hi = k ? Math.floor(k * max / 4) : 0;
      if (lo <= hi) { legend.appendChild(mk("span", {}, [mk("i", {"class": "mlc-s-l" + k}), lo === hi ? lo : lo + "–" + hi])); }
    });
    wrap.appendChild(mk("figure", {"class": "mlc-s-fig"}, [mk("div", {"class": "mlc-s-scroll"}, svg), mk("figcaption", {}, legend)]));
    wrap.appendChild(mk("div", {"class": "mlc-s-scroll", tabindex: "0", role: "region", "aria-label": T.matrix_caption},
      table(T.matrix_caption, [T.m_corner].concat(cs.map(function (c) { return c.name; })), cs.map(function (a) {
        return [a.name].concat(cs.map(function (b) { return val[a.code + b.code] || 0; }));
      }), "mlc-s-grid")));
  }

  function renderRecip(r, f) {
    var dl = clear($(".mlc-s-recip"));
    [[T.r_index, num(r.index, 2), T.r_index_help + " " + fmt(T.r_measured, {count: r.exchanges_measured})],
      [T.r_both, pct(r.both_directions), T.r_both_help], [T.r_balance, num(r.balance, 2), T.r_balance_help],
      [T.r_pairs, f.country_pairs ? fmt(T.r_pairs_value, {two_way: f.two_way, pairs: f.country_pairs}) : T.not_measured,
        T.r_pairs_help]].forEach(function (x) {
      dl.appendChild(mk("div", {}, [mk("dt", {}, x[0]), mk("dd", {}, [mk("strong", {}, x[1]), " ", mk("span", {}, x[2])])]));
    });
  }

  function renderRatings(r) {
    var wrap = clear($(".mlc-s-ratings")), max = 1, list = [], i, B = 90;
    for (i = 1; i <= 5; i++) { max = Math.max(max, r[i] || 0); list.push(fmt(T.rating_n, {score: i, count: r[i] || 0})); }
    var svg = s("svg", {role: "img", width: 240, height: 132, viewBox: "0 0 240 132", "class": "mlc-s-bars",
      "aria-labelledby": uid + "-rt " + uid + "-rd"},
      [s("title", {id: uid + "-rt"}, T.ratings_title), s("desc", {id: uid + "-rd"}, fmt(T.ratings_desc, {list: list.join(", ")}))]);
    for (i = 1; i <= 5; i++) {
      var v = r[i] || 0, h = Math.round(v / max * B), x = (i - 1) * 48 + 8;
      svg.appendChild(s("rect", {x: x, y: 20 + B - h, width: 32, height: Math.max(h, 1)}));
      svg.appendChild(s("text", {x: x + 16, y: 14 + B - h, "text-anchor": "middle"}, v));
      svg.appendChild(s("text", {x: x + 16, y: 128, "text-anchor": "middle", "class": "mlc-s-axis"}, i));
    }
    wrap.appendChild(svg);
    wrap.appendChild(mk("p", {"class": "mlc-help"}, list.join(" · ")));
  }

  function links() {
    var base = runtime.handlerUrl(root, "export_csv"), cb = $("[data-act='usernames']");
    var sep = base.indexOf("?") < 0 ? "?" : (/[?&]$/.test(base) ? "" : "&");
    box.querySelectorAll("[data-table]").forEach(function (a) {
      a.href = base + sep + "table=" + a.getAttribute("data-table") + (cb && cb.checked ? "&usernames=1" : "");
    });
  }

  /* ---- actions ---------------------------------------------------------------------------------------- */
  function pair(btn, confirm) {
    var ids = Object.keys(picked).map(Number);
    if (ids.length < 2 || ids.length > 3) { showError(T.pick_2_3); announce(T.pick_2_3); return; }
    act(btn, "staff_pair", {participants: ids, confirm: confirm}, function () {
      picked = {}; $(".mlc-s-warn").hidden = true; return T.paired;
    }, function (err) {
      if (err.code !== "confirm_needed") { return false; }
      var text = T.confirm_needed + " " + (err.details.warnings || []).map(function (w) { return T["w_" + w] || w; }).join("; ") + ".";
      $(".mlc-s-warntext").textContent = text;
      $(".mlc-s-warn").hidden = false; $(".mlc-s-plan").hidden = true;
      $("[data-act='pair-anyway']").focus();
      announce(text);
      return true;
    });
  }

  function showPlan(res) {
    var p = $(".mlc-s-plan");
    $(".mlc-s-warn").hidden = true;
    p.hidden = false;
    $(".mlc-s-plantext").textContent = res.groups.length ? fmt(T.plan_summary, {paired: res.paired, waiting: res.waiting,
      groups: res.groups.length, cross: res.cross_country_pairs, bound: res.upper_bound_cross_country_pairs}) : T.plan_empty;
    add(clear($(".mlc-s-groups")), res.groups.map(function (g) {
      return mk("li", {}, g.members.map(function (m) { return m.name + " (" + m.country_name + ")"; }).join(" + ") +
        " — " + g.reasons.map(reason).join("; "));
    }));
    $("[data-act='batch']").hidden = !res.groups.length;
    $("h4", p).focus();
    return $(".mlc-s-plantext").textContent;
  }

  // Ask for a reason in the <dialog>; focus goes back to the button that opened it.
  function ask(title, help, required, opener, then) {
    $("h4", dlg).textContent = title;
    $(".mlc-s-dlghelp", dlg).textContent = help;
    var area = $("textarea", dlg);
    area.value = ""; area.required = required;
    pending = {opener: opener, then: then};
    dlg.returnValue = "";
    dlg.showModal();
    area.focus();
  }
  dlg.addEventListener("close", function () {
    var p = pending; pending = null;
    if (!p) { return; }
    p.opener.focus();
    if (dlg.returnValue === "ok") { p.then($("textarea", dlg).value.trim()); }
  });

  function hide(b) {
    var id = Number(b.getAttribute("data-review"));
    if (b.getAttribute("data-hidden")) {
      act(b, "staff_unhide", {kind: "review", id: id}, function () { return T.review_shown; });
      return;
    }
    ask(fmt(T.hide_title, {what: fmt(T.review_n, {id: id})}), T.reason_required, true, b, function (why) {
      act(b, "staff_hide", {kind: "review", id: id, reason: why}, function () { return T.review_hidden; });
    });
  }

  function dissolve(b) {
    var id = Number(b.getAttribute("data-dissolve"));
    ask(fmt(T.dissolve_title, {what: fmt(T.exchange_n, {id: id})}), T.dissolve_help + " " + T.reason_optional, false, b,
      function (why) { act(b, "staff_dissolve", {exchange: id, reason: why}, function () { return T.dissolved; }); });
  }

  box.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b || dlg.contains(b) || b.type === "submit") { return; }
    if (busy || b.getAttribute("aria-disabled")) { ev.preventDefault(); return; }
    var a = b.getAttribute("data-act"), step = b.getAttribute("data-step");
    if (step) {
      var g = b.parentNode, kind = g.getAttribute("data-pager");
      q[kind + "_page"] += Number(step);
      load().then(function () { if (b.disabled) { $("button:not([disabled])", g).focus(); } });
    } else if (b.hasAttribute("data-review")) { hide(b); } else if (b.hasAttribute("data-dissolve")) { dissolve(b); }
    else if (a === "refresh") { showError(""); load().then(function () { announce(T.updated); }); }
    else if (a === "pair") { pair(b, false); } else if (a === "pair-anyway") { pair(b, true); }
    else if (a === "plan") { act(b, "staff_batch_pair", {dry_run: true}, showPlan); }
    else if (a === "batch") {
      act(b, "staff_batch_pair", {dry_run: false}, function (res) {
        picked = {}; $(".mlc-s-plan").hidden = true;
        return fmt(T.batch_done, {count: (res.exchanges || []).length});
      });
    } else if (a === "close") {
      var panel = b.closest(".mlc-s-box");
      panel.hidden = true;
      $(panel.classList.contains("mlc-s-plan") ? "[data-act='plan']" : "[data-act='pair']").focus();
    }
  });

  box.addEventListener("change", function (ev) {
    var t = ev.target, f = t.getAttribute("data-filter");
    if (t.hasAttribute("data-pick")) {
      if (t.checked) { picked[t.getAttribute("data-pick")] = true; } else { delete picked[t.getAttribute("data-pick")]; }
      showPicked();
    } else if (f) {
      q[f] = t.value; q.exchanges_page = 1; load();
    } else if (t.getAttribute("data-act") === "usernames") { links(); }
    else if (t.type === "file" && t.files[0]) {
      var reader = new FileReader();
      reader.onload = function () { $("[data-form='roster'] textarea").value = reader.result; };
      reader.readAsText(t.files[0]);
    }
  });

  $("[data-form='roster']").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target, errs = $(".mlc-s-rerr", f);
    errs.hidden = true;
    act($("button", f), "staff_import_roster", {csv: f.elements.csv.value}, function (res) { return fmt(T.roster_done, res); },
      function (err) {
        var list = err.details && err.details.errors;
        if (list && list.length) {
          add(clear($("ul", errs)), list.map(function (e) { return mk("li", {}, fmt(T.line_error, e)); }));
          errs.hidden = false;
        }
        return false;
      });
  });

  $("[data-form='deadline']").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target, id = parseInt(f.elements.participant.value, 10);
    var iso = function (v) { return v ? new Date(v).toISOString() : null; };
    if (!(id > 0)) { showError(T.deadline_pick); f.elements.participant.focus(); return; }
    act($("button", f), "staff_extend_deadline", {participant: id, submission_due: iso(f.elements.submission_due.value),
      review_due: iso(f.elements.review_due.value)}, function () { return fmt(T.deadline_done, {id: id}); });
  });

  links();
  announce(T.loading);
  load();
};
