// The filter panel (portal/_filters.html). USWDS 3's date picker marks the chosen day,
// month and year buttons with aria-selected, which the button role does not take
// (axe: aria-allowed-attr); aria-pressed says the same on a button. Each calendar the
// picker draws is corrected as it appears.
(function () {
  "use strict";

  function correct(picker) {
    picker.querySelectorAll("button[aria-selected]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("aria-selected"));
      button.removeAttribute("aria-selected");
    });
  }

  document.querySelectorAll(".portal-filter-panel .usa-date-picker").forEach(function (picker) {
    new MutationObserver(function () {
      correct(picker);
    }).observe(picker, { childList: true, subtree: true });
  });
})();
