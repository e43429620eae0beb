/* Strings in our JavaScript: from the block's own catalog (window.MlcourseI18N, the block's i18n_js_namespace,
   built by `make translations` or served by the platform), else the platform's global gettext, else English. */
var MlcourseText = (function () {
  "use strict";
  function source() {
    if (window.MlcourseI18N && window.MlcourseI18N.gettext) { return window.MlcourseI18N; }
    if (typeof window.gettext === "function") {
      return {gettext: window.gettext, ngettext: window.ngettext || function (s, p, n) { return n === 1 ? s : p; }};
    }
    return {gettext: function (s) { return s; }, ngettext: function (s, p, n) { return n === 1 ? s : p; }};
  }
  return {
    gettext: function (msgid) { return source().gettext(msgid); },
    ngettext: function (singular, plural, n) { return source().ngettext(singular, plural, n); },
    interpolate: function (text, values) {
      return text.replace(/%\((\w+)\)s/g, function (all, name) { return name in values ? String(values[name]) : all; });
    }
  };
}());
