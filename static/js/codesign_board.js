/* Co-design board: propose, vote and withdraw, sort/filter/show more (the server renders the list), and the
   course team's adopt/hide/merge. Studio: a plain settings form. */
function MlcourseCodesignBoard(runtime, element) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var gettext = MlcourseText.gettext, interpolate = MlcourseText.interpolate;
  var live = root.querySelector(".mlc-cb-live"), errorBox = root.querySelector(".mlc-cb-error");
  var list = root.querySelector(".mlc-cb-list"), controls = root.querySelector(".mlc-cb-controls");
  var form = root.querySelector(".mlc-cb-form");
  if (!live || !list) { return; }
  var query = {sort: "votes", kind: ""};
  // Chinese and Japanese sentences follow each other without a space ("投票已保存。您还剩…").
  var sentenceGap = /^(zh|ja)\b/i.test((root.querySelector(".mlc-cb") || root).getAttribute("lang") || "") ? "" : " ";
  controls.hidden = false;
  function say(message) { live.textContent = ""; window.setTimeout(function () { live.textContent = message; }, 50); }
  function fail(message) { errorBox.textContent = message; errorBox.hidden = false; errorBox.focus(); }
  function networkError() {
    var message = gettext("The connection failed. Please check your network and try again.");
    fail(message);
  }
  // A busy button is marked aria-disabled, not disabled: disabling the focused button would drop the focus.
  function post(name, data, done, button) {
    if (button) {
      if (button.getAttribute("aria-disabled") === "true") { return Promise.resolve(); }
      button.setAttribute("aria-disabled", "true");
    }
    function idle() { if (button) { button.removeAttribute("aria-disabled"); } }
    errorBox.hidden = true;
    return mlcPost(runtime, root, name, data).then(function (res) {
      idle();
      if (!res.ok) { return fail(res.body.error); }
      done(res.body);
    }, function () { idle(); networkError(); });
  }
  function load(offset, focusFirstNew) {
    var data = {sort: query.sort, kind: query.kind, offset: offset};
    return post("board_page", data, function (body) {
      var holder = document.createElement("div");
      holder.innerHTML = body.html;  // rendered and escaped by the server's template
      if (offset) {
        var items = holder.querySelector(".mlc-cb-items"), target = list.querySelector(".mlc-cb-items");
        var first = items && items.firstElementChild;
        while (items && items.firstElementChild) { target.appendChild(items.firstElementChild); }
        if (items) { items.remove(); }
        [".mlc-cb-more", ".mlc-cb-showing"].forEach(function (sel) { var old = list.querySelector(sel); if (old) { old.remove(); } });
        while (holder.firstChild) { list.appendChild(holder.firstChild); }
        if (first && focusFirstNew) { var h = first.querySelector("h4"); h.tabIndex = -1; h.focus(); }
      } else {
        list.innerHTML = "";
        while (holder.firstChild) { list.appendChild(holder.firstChild); }
      }
      say(body.showing);
    });
  }
  controls.addEventListener("submit", function (ev) {
    ev.preventDefault();
    query.sort = controls.elements.sort.value; query.kind = controls.elements.kind.value;
    load(0);
  });
  list.addEventListener("click", function (ev) {
    var button = ev.target.closest("button");
    if (!button) { return; }
    if (button.classList.contains("mlc-cb-more")) { load(parseInt(button.getAttribute("data-offset"), 10), true); return; }
    if (!button.classList.contains("mlc-cb-vote")) { return; }
    var item = parseInt(button.getAttribute("data-item"), 10);
    var voted = button.getAttribute("data-voted") === "true";
    post(voted ? "withdraw_vote" : "vote", {item: item}, function (body) {
      var li = button.closest(".mlc-cb-item");
      li.querySelector(".mlc-cb-count").textContent = body.votes_text;
      button.setAttribute("data-voted", body.voted ? "true" : "false");  // the label says it: no aria-pressed
      button.textContent = body.voted ? gettext("Withdraw my vote") : gettext("Vote");
      button.classList.toggle("mlc-secondary", body.voted);
      root.querySelector(".mlc-cb-allowance").textContent = body.votes_left_text;
      say((body.voted ? gettext("Vote saved.") : gettext("Vote withdrawn.")) + sentenceGap + body.votes_left_text);
    }, button);
  });
  var lastClicked = null;  // the button that submitted a form, for browsers without SubmitEvent.submitter
  list.addEventListener("mousedown", function (ev) { lastClicked = ev.target.closest("button[type=submit]"); });
  list.addEventListener("keydown", function (ev) { lastClicked = ev.target.closest("button[type=submit]"); });
  list.addEventListener("submit", function (ev) {
    var f = ev.target, action = f.getAttribute("data-action");
    if (!action) { return; }
    ev.preventDefault();
    var submitter = ev.submitter || (lastClicked && lastClicked.form === f ? lastClicked : null) ||
      f.querySelector("button[type=submit]");
    var item = parseInt(f.getAttribute("data-item"), 10), data = {item: item}, name = "staff_" + action;
    if (action === "adopt") { data.adopted = submitter.value === "true"; data.note = f.elements.note.value; }
    if (action === "hide") { data.hidden = submitter.value === "true"; if (data.hidden) { data.reason = f.elements.reason.value; } }
    if (action === "merge") { data.into = parseInt(f.elements.into.value, 10) || 0; }
    post(name, data, function () {
      load(0).then(function () {
        say(interpolate(gettext("Proposal %(id)s updated."), {id: item}));
        root.querySelector("[id$='-items']").focus();
      });
    }, submitter);
  });
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var e = form.elements, data = {title: e.title.value, description: e.description.value, kind: e.kind.value};
      if (e.country) { data.country = e.country.value; data.organisation_type = e.organisation_type.value; }
      var missing = gettext("Please choose a kind and give a title.");
      if (!data.kind || !data.title.trim()) { return fail(missing); }
      post("propose", data, function (body) {
        form.reset();
        var left = root.querySelector(".mlc-cb-proposals-left");
        left.textContent = body.proposals_left_text;
        if (!body.proposals_left) { form.remove(); }
        controls.elements.sort.value = "newest"; query.sort = "newest"; query.kind = ""; controls.elements.kind.value = "";
        load(0).then(function () {
          say(gettext("Your proposal is on the board."));
          root.querySelector("[id$='-items']").focus();
        });
      }, form.querySelector("button[type=submit]"));
    });
  }
}
function MlcourseCodesignBoardStudio(runtime, element) {
  "use strict";
  MlcourseStudioForm(runtime, element, function (e) {
    return {display_name: e.display_name.value, intro: e.intro.value, kinds: e.kinds.value,
            votes_per_learner: parseInt(e.votes_per_learner.value, 10),
            max_proposals: parseInt(e.max_proposals.value, 10)};
  });
}
