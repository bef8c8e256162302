// The API documentation page (Swagger UI): give each parameter's drop-down and input
// the parameter's name as its accessible name, since Swagger UI renders them without a
// label. A file, not an inline script, for the Content-Security-Policy.
(function () {
  "use strict";
  function label(root) {
    root.querySelectorAll("tr[data-param-name] select, tr[data-param-name] input, tr[data-param-name] textarea").forEach(function (field) {
      if (field.getAttribute("aria-label") || field.id && document.querySelector('label[for="' + field.id + '"]')) {
        return;
      }
      var row = field.closest("tr[data-param-name]");
      field.setAttribute("aria-label", row.getAttribute("data-param-name") + " (" + (row.getAttribute("data-param-in") || "parameter") + ")");
    });
  }
  new MutationObserver(function () { label(document); }).observe(document.body, { childList: true, subtree: true });
  label(document);
})();
