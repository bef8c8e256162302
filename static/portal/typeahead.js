// The filter panel's type-ahead (portal.filter_panel.TypeAhead): a text box whose
// suggestions come from the page's scoped endpoint (data-source), as an ARIA 1.2 combo box
// with a list box popup (the USWDS combo box's look). Focus stays in the text box; the
// arrow keys move the active suggestion (aria-activedescendant), Enter or a click picks it,
// Escape closes the list (a second Escape empties the box). The live region says how many
// suggestions there are. The chosen row's id goes in the hidden input named after the
// filter; the text box is then not sent. Typed text that is not picked is sent as
// <name>_search, which the page reads as the one row it matches (as without this script).
(function () {
  "use strict";

  var DELAY = 200; // ms after the last key before asking the endpoint

  function setup(root) {
    var box = root.querySelector(".portal-typeahead__input");
    var hidden = root.querySelector(".portal-typeahead__value");
    var list = root.querySelector(".portal-typeahead__list");
    var status = root.querySelector(".portal-typeahead__status");
    var noun = root.getAttribute("data-noun") || "results";
    var searchName = box.getAttribute("name");
    var chosenLabel = root.getAttribute("data-chosen-label") || "";
    var timer = null;
    var asked = 0; // the latest request; older answers are dropped
    var active = -1;

    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", list.id);

    function options() {
      return list.querySelectorAll('[role="option"]');
    }

    // A chosen row travels as its id only; typed text as <name>_search.
    function chosen(value, label) {
      hidden.value = value;
      chosenLabel = label;
      if (value) {
        box.removeAttribute("name");
      } else {
        box.setAttribute("name", searchName);
      }
    }
    if (hidden.value && box.value === chosenLabel) {
      chosen(hidden.value, chosenLabel);
    }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      if (!items.length) {
        return;
      }
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        var on = i === active;
        item.classList.toggle("usa-combo-box__list-option--focused", on);
        item.setAttribute("aria-selected", on ? "true" : "false");
      });
      box.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function pick(item) {
      box.value = item.getAttribute("data-label");
      chosen(item.getAttribute("data-value"), box.value);
      close();
      status.textContent = box.value + " chosen.";
    }

    function show(data) {
      list.textContent = "";
      data.results.forEach(function (result, i) {
        var item = document.createElement("li");
        item.id = list.id + "--option-" + i;
        item.className = "usa-combo-box__list-option";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("aria-setsize", String(data.results.length));
        item.setAttribute("aria-posinset", String(i + 1));
        item.setAttribute("data-value", String(result.value));
        item.setAttribute("data-label", result.label);
        item.textContent = result.label;
        list.appendChild(item);
      });
      var n = data.results.length;
      if (!n) {
        var none = document.createElement("li");
        none.className = "usa-combo-box__list-option--no-results";
        none.textContent = "No " + noun + " found";
        list.appendChild(none);
      }
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      active = -1;
      box.removeAttribute("aria-activedescendant");
      status.textContent = n
        ? n + (data.more ? " or more" : "") + " " + (n === 1 && !data.more ? "result" : "results") +
          " available." + (data.more ? " Type more of the name to narrow them." : "")
        : "No results.";
    }

    function ask() {
      var text = box.value.trim();
      if (!text) {
        close();
        status.textContent = "";
        return;
      }
      var mine = ++asked;
      var url = root.getAttribute("data-source") + "?q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (mine === asked && document.activeElement === box) {
            show(data);
          }
        })
        .catch(function () {
          if (mine === asked) {
            close();
            status.textContent = "Suggestions are not available; the typed name is searched when the filters are applied.";
          }
        });
    }

    box.addEventListener("input", function () {
      chosen("", "");
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });

    box.addEventListener("keydown", function (event) {
      var open = !list.hidden && options().length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) {
          highlight(active + 1);
        } else if (box.value.trim()) {
          ask();
        }
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          highlight(active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          pick(options()[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (box.value) {
          event.preventDefault();
          box.value = "";
          chosen("", "");
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    // A click on a suggestion picks it; mousedown keeps the focus in the box.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var item = event.target.closest('[role="option"]');
      if (item) {
        pick(item);
      }
    });

    box.addEventListener("blur", function () {
      close();
    });
  }

  document.querySelectorAll(".portal-filter-panel .portal-typeahead").forEach(setup);
})();
