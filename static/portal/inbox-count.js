// The header's unread count of the findings inbox (oversight:inbox-count), asked for once
// the page is shown rather than counted by every page (oversight/context_processors.py).
// It is shown as a tag beside the inbox link: "3 unread" to a screen reader.
(function () {
  "use strict";

  var slot = document.querySelector(".portal-inbox-count[data-src]");
  if (!slot) {
    return;
  }
  fetch(slot.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(function (data) {
      if (!data || !data.unread) {
        return;
      }
      var tag = document.createElement("span");
      tag.className = "usa-tag";
      tag.textContent = String(data.unread);
      var words = document.createElement("span");
      words.className = "usa-sr-only";
      words.textContent = " unread";
      tag.appendChild(words);
      slot.textContent = " ";
      slot.appendChild(tag);
    })
    .catch(function () {});
})();
