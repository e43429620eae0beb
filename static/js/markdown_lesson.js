/* Co-authored lesson: every language is in the page (the learner's one shown, so it reads without JavaScript);
 * this only reveals the language switch and shows the language chosen there. */
function MlcourseMarkdownLesson(runtime, element) {
  "use strict";
  var root = element && element.jquery ? element[0] : element;
  var box = root.querySelector(".mlc-ml"), pick = box && box.querySelector(".mlc-ml-switch");
  if (!pick) { return; }
  var select = pick.querySelector("select");
  var parts = box.querySelectorAll(".mlc-ml-body[data-variant]");
  function show(code) {
    Array.prototype.forEach.call(parts, function (part) { part.hidden = part.getAttribute("data-variant") !== code; });
  }
  select.addEventListener("change", function () { show(select.value); });
  show(select.value);
  pick.hidden = false;
}
