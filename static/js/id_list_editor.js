/* Studio: an "id | text" list (evidence statements, board kinds) edited as rows with add, move and remove
   buttons. The textarea stays the form's field: every change is written back to it as "id | text" lines, and
   the server validates it as before. Labels come translated in the textarea's data-* attributes. */
function MlcourseIdListEditor(textarea) {
  "use strict";
  if (!textarea || textarea.getAttribute("data-enhanced")) { return; }
  textarea.setAttribute("data-enhanced", "1");
  var d = textarea.dataset, rows = [];
  textarea.value.split("\n").forEach(function (line) {
    if (!line.trim()) { return; }
    var bar = line.indexOf("|");
    rows.push(bar < 0 ? {id: "", text: line.trim()} : {id: line.slice(0, bar).trim(), text: line.slice(bar + 1).trim()});
  });
  var box = document.createElement("div"), list = document.createElement("ol"), live = document.createElement("p");
  box.className = "mlc-idlist"; box.setAttribute("role", "group");
  box.setAttribute("aria-labelledby", textarea.id + "-label");
  live.className = "mlc-help"; live.setAttribute("role", "status"); live.setAttribute("aria-live", "polite");
  var add = document.createElement("button");
  add.type = "button"; add.className = "mlc-button mlc-secondary"; add.textContent = d.add;
  function save() {
    textarea.value = rows.map(function (r) { return r.id + " | " + r.text; }).join("\n");
  }
  function field(row, key, label, n, size) {
    var wrap = document.createElement("label"), input = document.createElement("input");
    wrap.className = "mlc-idlist-" + key;
    wrap.appendChild(document.createTextNode(label + " " + n));
    input.type = "text"; input.value = row[key]; input.dir = key === "id" ? "ltr" : "auto"; input.size = size;
    input.addEventListener("input", function () { row[key] = input.value; save(); });
    wrap.appendChild(input);
    return wrap;
  }
  function button(label, n, action, disabled) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "mlc-button mlc-secondary"; b.textContent = label;
    b.setAttribute("aria-label", label + " (" + n + ")"); b.setAttribute("data-list-action", action);
    if (disabled) { b.setAttribute("aria-disabled", "true"); }
    return b;
  }
  function draw(focusIndex, focusAction) {
    list.textContent = "";
    rows.forEach(function (row, i) {
      var li = document.createElement("li"), n = i + 1;
      li.setAttribute("data-index", String(i));
      li.appendChild(field(row, "id", d.labelId, n, 12));
      li.appendChild(field(row, "text", d.labelText, n, 40));
      li.appendChild(button(d.up, n, "up", i === 0));
      li.appendChild(button(d.down, n, "down", i === rows.length - 1));
      li.appendChild(button(d.remove, n, "remove", false));
      list.appendChild(li);
    });
    save();
    if (focusIndex !== undefined) {
      var target = list.children[Math.min(focusIndex, rows.length - 1)];
      var el = target && (focusAction ? target.querySelector("[data-list-action='" + focusAction + "']") : target.querySelector("input"));
      (el || add).focus();
    }
  }
  list.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-list-action]");
    if (!b || b.getAttribute("aria-disabled") === "true") { return; }
    var i = parseInt(b.closest("li").getAttribute("data-index"), 10), action = b.getAttribute("data-list-action");
    if (action === "remove") { rows.splice(i, 1); draw(i, "remove"); live.textContent = d.removed; return; }
    var j = action === "up" ? i - 1 : i + 1;
    rows.splice(j, 0, rows.splice(i, 1)[0]);
    draw(j, action); live.textContent = d.moved;
  });
  add.addEventListener("click", function () { rows.push({id: "", text: ""}); draw(rows.length - 1); });
  box.appendChild(list); box.appendChild(add); box.appendChild(live);
  textarea.hidden = true;
  textarea.parentNode.insertBefore(box, textarea);
  draw();
}
