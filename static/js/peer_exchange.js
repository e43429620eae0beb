/* Peer exchange learner view. Plain JS, no framework: learners are often on phones and slow links.
 * Learner text is only ever put in the page with textContent; the server sends all strings translated. */
function MlcoursePeerExchange(runtime, element) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  if (typeof window.MlcourseStaffDashboard === "function") { window.MlcourseStaffDashboard(runtime, root); }
  var box = root.querySelector(".mlc-pe");
  if (!box || !box.querySelector("script[type='application/json']")) { return; }
  var boot = JSON.parse(box.querySelector("script[type='application/json']").textContent);
  var T = boot.strings, state = boot.state, uid = box.getAttribute("data-uid");
  var PHASES = ["context", "contribute", "waiting", "review", "feedback", "done"];
  var POLL_MS = 25000, pollTimer = null, busy = false, editing = false;
  var live = box.querySelector(".mlc-live"), errorBox = box.querySelector(".mlc-error");

  function $(sel, scope) { return (scope || box).querySelector(sel); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function fmt(s, params) { return s.replace(/%\((\w+)\)s/g, function (m, k) { return params[k]; }); }
  function announce(msg) { live.textContent = ""; setTimeout(function () { live.textContent = msg; }, 50); }
  function showError(msg) { errorBox.textContent = msg || ""; errorBox.hidden = !msg; }
  function csrf() { var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/); return m ? decodeURIComponent(m[1]) : ""; }

  function post(handler, payload) {
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "XMLHttpRequest"},
      body: JSON.stringify(payload || {})
    }).then(function (resp) {
      return resp.json().catch(function () { return {error: T.network_error}; }).then(function (data) {
        if (!resp.ok) { throw new Error(data.error || T.network_error); }
        return data;
      });
    });
  }

  function act(handler, payload, form) {
    if (busy) { return; }
    busy = true; showError("");
    var button = form && form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    announce(T.saving);
    post(handler, payload).then(function (next) {
      var before = state && state.phase;
      editing = false;
      render(next, before !== next.phase);
      // The form that had focus may be gone (a sent rating becomes text): focus the step's heading, not <body>.
      var heading = $("[data-panel='" + next.phase + "'] h3");
      if (!box.contains(document.activeElement) && heading) { heading.focus(); }
      announce(next.phase === "review" && before === "waiting" || (before === "contribute" && next.phase === "review")
        ? pairedMessage(next) : T.saved);
    }).catch(function (err) {
      showError(err.message === "Failed to fetch" ? T.network_error : err.message);
      announce(err.message);
    }).then(function () {
      busy = false;
      if (!button) { return; }
      button.disabled = false;  // a disabled button loses focus: give it back unless focus moved on
      if (!box.contains(document.activeElement) && box.contains(button)) { button.focus(); }
    });
  }

  function pairedMessage(s) {
    var names = (s.exchange ? s.exchange.members : []).filter(function (m) { return !m.is_me; })
      .map(function (m) { return (m.name || T.partner) + " (" + m.country_name + ")"; });
    return fmt(T.paired, {names: names.join(", ")});
  }

  function refresh() {
    if (busy || document.hidden) { return; }
    post("state", {}).then(function (next) {
      var before = state.phase, received = state.reviews_received.length;
      if (before !== next.phase && !editing) {
        render(next, true);
        if (before === "waiting") { announce(pairedMessage(next)); }
      } else if (!editing && !box.querySelector("form[data-touched]")) {
        // Same step: redraw, but never under a review or rating being written (it waits for the next check), and
        // give focus back to the control that had it (ids are stable) so a keyboard user is not sent to the top.
        var had = box.contains(document.activeElement) ? document.activeElement.id : "";
        render(next, false);
        var again = had && document.getElementById(had);
        if (again && again !== document.activeElement) { again.focus(); }
        if (next.reviews_received.length > received) {
          announce(fmt(T.received_count, {count: next.reviews_received.length}));
        }
      }
    }).catch(function () { /* keep the page as it is; the next poll retries */ });
  }

  function schedule() {
    clearTimeout(pollTimer);
    var s = state;
    var waitingForOthers = s.phase === "waiting" || s.phase === "review" ||
      (s.phase === "feedback" && s.reviews_received.length === 0);
    if (waitingForOthers) { pollTimer = setTimeout(function () { refresh(); schedule(); }, POLL_MS); }
  }

  /* ---- rendering ---------------------------------------------------------------------------------- */
  function render(next, moveFocus) {
    state = next;
    var phase = editing ? "contribute" : state.phase;
    var index = PHASES.indexOf(phase);
    box.querySelectorAll(".mlc-steps li").forEach(function (li, i) {
      var status = li.querySelector(".mlc-step-status");
      li.classList.toggle("is-current", i === index);
      li.classList.toggle("is-done", i < index);
      if (i === index) { li.setAttribute("aria-current", "step"); } else { li.removeAttribute("aria-current"); }
      status.textContent = i === index ? " (" + T.step_current + ")" : (i < index ? " (" + T.step_complete + ")" : "");
    });
    box.querySelectorAll(".mlc-panel").forEach(function (p) { p.hidden = p.getAttribute("data-panel") !== phase; });
    fillContext(); fillContribution(); fillWaiting(); fillReview(); fillFeedback(); fillDone();
    $(".mlc-repair").hidden = !state.can_request_new_partner;
    var moderated = $(".mlc-moderated"), hiddenReason = state.contribution && state.contribution.hidden_reason;
    moderated.hidden = !hiddenReason;
    moderated.textContent = hiddenReason ? fmt(T.your_contribution_hidden, {reason: hiddenReason}) : "";
    $(".mlc-prompt").open = ["context", "contribute", "waiting"].indexOf(phase) >= 0;
    if (moveFocus) { var h = $("[data-panel='" + phase + "'] h3"); if (h) { h.focus(); } }
    schedule();
  }

  function fillContext() {
    var form = $("[data-form='context']");
    var ctx = state.context;
    var tz = form.elements.time_zone;
    if (!tz.value) { try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* old browser */ } }
    if (!ctx) { return; }
    form.elements.country.value = ctx.country;
    form.elements.organisation_type.value = ctx.organisation_type;
    Array.prototype.forEach.call(form.elements.languages.options, function (o) { o.selected = ctx.languages.indexOf(o.value) >= 0; });
    if (ctx.time_zone) { tz.value = ctx.time_zone; }
  }

  function deadline(kind) {
    var node = $("[data-deadline='" + kind + "']");
    var due = state.deadlines[kind + "_due"], closed = state.deadlines[kind + "_closed"];
    node.textContent = due ? fmt(T[kind + "_due"], {date: new Date(due).toLocaleString()}) + (closed ? " — " + T.deadline_passed : "") : "";
  }

  function fillContribution() {
    var form = $("[data-form='contribution']"), area = form.elements.text;
    $(".mlc-limits").textContent = fmt(T.word_limits, {min: state.limits.min_words, max: state.limits.max_words});
    if (state.contribution && !area.dataset.touched) { area.value = state.contribution.text; }
    countWords();
    deadline("submission");
  }

  function countWords() {
    var text = $("[data-form='contribution']").elements.text.value;
    var cjk = (text.match(/[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g) || []).length;
    var words = (text.replace(/[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g, " ").match(/[^\s.,;:!?()"“”«»]+/g) || []).length;
    var n = words + cjk, lim = state.limits;
    var count = $(".mlc-count");
    count.textContent = fmt(T.words, {count: n});
    count.classList.toggle("is-out", n < lim.min_words || n > lim.max_words);
  }

  function fillWaiting() {
    if (!state.waiting) { return; }
    var rule = state.waiting.partner_rule;
    $(".mlc-waiting-rule").textContent = rule === "any" ? T.waiting_rule_any :
      (rule === "different_country_preferred" ? T.waiting_rule_preferred : T.waiting_rule_required);
    $(".mlc-waiting-count").textContent = fmt(T.others_waiting, {count: state.waiting.others_waiting});
  }

  function memberLabel(m) {
    var name = m.is_me ? T.you : (m.name || T.partner);
    var org = T.org_types[m.organisation_type] || "";
    return name + " — " + m.country_name + (org ? ", " + org : "");
  }

  function reasonText() {
    return (state.exchange.reason || []).map(function (r) { return T.reasons[r] || r; }).join("; ");
  }

  function fillReview() {
    var todo = $(".mlc-reviews-todo");
    todo.textContent = "";
    deadline("review");
    if (!state.exchange) { return; }
    todo.appendChild(el("p", {"class": "mlc-reason"}, T.reason + ": " + reasonText()));
    state.exchange.members.forEach(function (m) {
      if (m.is_me || state.reviews_pending.indexOf(m.id) < 0) { return; }
      todo.appendChild(reviewForm(m));
    });
  }

  function reviewForm(member) {
    var card = el("article", {"class": "mlc-card"});
    card.appendChild(el("h4", {}, memberLabel(member)));
    card.appendChild(el("h5", {}, T.their_contribution));
    var hidden = member.contribution && member.contribution.text === null;
    card.appendChild(el("div", {"class": "mlc-quote", dir: "auto"}, hidden ? T.contribution_hidden
      : (member.contribution ? member.contribution.text : "")));
    var form = el("form", {"class": "mlc-form", "novalidate": ""});
    var prefix = uid + "-r" + member.id;
    state.rubric.forEach(function (q) {
      var tag = q.required ? " (" + T.required + ")" : " (" + T.optional + ")";
      if (q.type === "scale") {
        var fs = el("fieldset", {"class": "mlc-scale"});
        fs.appendChild(authored(el("legend"), q.label, tag));
        var hint = el("p", {"class": "mlc-help"}, T.scale_low + " · " + T.scale_high);
        fs.appendChild(hint);
        for (var v = 1; v <= 5; v++) {
          var id = prefix + "-" + q.id + "-" + v;
          var input = el("input", {type: "radio", name: q.id, value: String(v), id: id});
          var label = el("label", {"for": id}, String(v));
          fs.appendChild(input); fs.appendChild(label);
        }
        form.appendChild(fs);
      } else {
        form.appendChild(field("textarea", prefix + "-" + q.id, q.id, q.label, tag));
      }
    });
    form.appendChild(field("textarea", prefix + "-learned", "learned", T.learned + " (" + T.required + ")"));
    form.appendChild(field("textarea", prefix + "-suggestion", "suggestion", T.suggestion + " (" + T.required + ")"));
    form.appendChild(el("button", {type: "submit", "class": "mlc-button"}, T.submit_review));
    touched(form);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var answers = {};
      state.rubric.forEach(function (q) {
        if (q.type === "scale") {
          var value = form.elements[q.id] ? form.elements[q.id].value : "";
          if (value) { answers[q.id] = parseInt(value, 10); }
        } else if (form.elements[q.id].value.trim()) { answers[q.id] = form.elements[q.id].value; }
      });
      act("submit_review", {reviewee: member.id, answers: answers, learned: form.elements.learned.value,
        suggestion: form.elements.suggestion.value}, form);
    });
    card.appendChild(form);
    return card;
  }

  // Text the author or a learner wrote, isolated (<bdi>) so that in a right-to-left page an English question keeps
  // its "?" at its end; `after` is our own (translated) text.
  function authored(node, text, after) {
    node.appendChild(el("bdi", {}, text));
    if (after) { node.appendChild(document.createTextNode(after)); }
    return node;
  }

  // A form the learner has started is not redrawn by the background check (see refresh).
  function touched(form) {
    form.addEventListener("input", function () { form.setAttribute("data-touched", ""); });
  }

  function field(tag, id, name, labelText, after) {
    var wrap = el("div", {"class": "mlc-field"});
    wrap.appendChild(after === undefined ? el("label", {"for": id}, labelText)
      : authored(el("label", {"for": id}), labelText, after));
    var input = el(tag, {id: id, name: name, rows: "4"});
    wrap.appendChild(input);
    return wrap;
  }

  function reviewView(r, mine) {
    var card = el("article", {"class": "mlc-card"});
    var who = (r.other_name || T.partner) + " — " + r.other_country_name;
    card.appendChild(el("h4", {}, (mine ? T.you_gave : T.you_received) + ": " + who));
    var dl = el("dl", {"class": "mlc-answers"});
    (r.questions || []).forEach(function (q) {
      if (r.answers[q.id] === undefined) { return; }
      dl.appendChild(el("dt", {dir: "auto"}, q.label));
      // A score is no text to guess a direction from (dir=auto would make "4 / 5" left-to-right): the page's.
      dl.appendChild(el("dd", q.type === "scale" ? {} : {dir: "auto"},
        q.type === "scale" ? r.answers[q.id] + " / 5" : r.answers[q.id]));
    });
    dl.appendChild(el("dt", {}, T.learned)); dl.appendChild(el("dd", {dir: "auto"}, r.learned));
    dl.appendChild(el("dt", {}, T.suggestion)); dl.appendChild(el("dd", {dir: "auto"}, r.suggestion));
    card.appendChild(dl);
    if (r.hidden_reason) { card.appendChild(el("p", {"class": "mlc-notice"}, fmt(T.review_hidden, {reason: r.hidden_reason}))); }
    if (r.rating) {
      card.appendChild(authored(el("p", {"class": "mlc-rating"}, fmt(T.rated, {value: r.rating.helpfulness}) +
        (r.rating.note ? " — " : "")), r.rating.note || ""));
    } else if (mine || state.phase === "done") {
      card.appendChild(el("p", {"class": "mlc-rating"}, T.not_rated));
    } else {
      card.appendChild(rateForm(r));
    }
    return card;
  }

  function rateForm(review) {
    var form = el("form", {"class": "mlc-form", "novalidate": ""});
    var fs = el("fieldset", {"class": "mlc-scale"});
    fs.appendChild(el("legend", {}, T.helpfulness));
    for (var v = 1; v <= 5; v++) {
      var id = uid + "-rate" + review.id + "-" + v;
      fs.appendChild(el("input", {type: "radio", name: "helpfulness", value: String(v), id: id}));
      fs.appendChild(el("label", {"for": id}, String(v)));
    }
    form.appendChild(fs);
    form.appendChild(field("textarea", uid + "-note" + review.id, "note", T.thank_you_note));
    form.appendChild(el("button", {type: "submit", "class": "mlc-button"}, T.rate));
    touched(form);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var checked = form.querySelector("input[name='helpfulness']:checked");
      act("rate_review", {review: review.id, helpfulness: checked ? parseInt(checked.value, 10) : null,
        note: form.elements.note.value}, form);
    });
    return form;
  }

  function fillFeedback() {
    var box2 = $(".mlc-received");
    box2.textContent = "";
    var reflection = $("[data-form='reflection']");
    if (state.phase !== "feedback") { reflection.hidden = true; return; }
    if (state.reviews_received_locked) { box2.appendChild(el("p", {"class": "mlc-notice"}, T.gate_locked)); }
    if (!state.reviews_received.length) { box2.appendChild(el("p", {"class": "mlc-notice"}, T.no_reviews_yet)); }
    state.reviews_received.forEach(function (r) { box2.appendChild(reviewView(r, false)); });
    reflection.hidden = !state.reviews_received.length;
  }

  function fillDone() {
    var summary = $(".mlc-summary");
    summary.textContent = "";
    if (state.phase !== "done") { return; }
    if (state.exchange) {
      var ul = el("ul", {"class": "mlc-members"});
      state.exchange.members.forEach(function (m) { ul.appendChild(el("li", {}, memberLabel(m))); });
      summary.appendChild(ul);
    }
    state.reviews_given.forEach(function (r) { summary.appendChild(reviewView(r, true)); });
    state.reviews_received.forEach(function (r) { summary.appendChild(reviewView(r, false)); });
    if (state.reflection) {
      summary.appendChild(el("h4", {}, T.reflection_heading));
      summary.appendChild(el("div", {"class": "mlc-quote", dir: "auto"}, state.reflection.text));
    }
  }

  /* ---- events ------------------------------------------------------------------------------------- */
  $("[data-form='context']").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target;
    var langs = Array.prototype.filter.call(f.elements.languages.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; });
    act("save_context", {country: f.elements.country.value, organisation_type: f.elements.organisation_type.value,
      languages: langs, time_zone: f.elements.time_zone.value.trim()}, f);
  });
  $("[data-form='contribution']").addEventListener("submit", function (ev) {
    ev.preventDefault();
    act("submit_contribution", {text: ev.target.elements.text.value}, ev.target);
  });
  $("[data-form='contribution']").elements.text.addEventListener("input", function (ev) {
    ev.target.dataset.touched = "1"; countWords();
  });
  $("[data-form='reflection']").addEventListener("submit", function (ev) {
    ev.preventDefault();
    act("submit_reflection", {text: ev.target.elements.text.value}, ev.target);
  });
  $("[data-action='edit']").addEventListener("click", function () { editing = true; render(state, true); });
  $("[data-action='new-partner']").addEventListener("click", function (ev) { act("request_new_partner", {}, null); });
  $(".mlc-download").setAttribute("href", runtime.handlerUrl(root, "download_my_data"));
  window.addEventListener("focus", refresh);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });

  if (state) { render(state, false); } else { post("state", {}).then(function (s) { render(s, false); }); }
}
