/* Tables of data: every table of a page's main content gets the frame of the list pages
   (templates/portal/list.html renders it on the server): a scrolling region whose header
   row and first column stay in view (static/portal/portal.css), a shadow at the edge where
   columns are hidden, a line saying the table scrolls (also read by screen readers), and,
   on narrow screens, stacked rows labelled with their column (usa-table--stacked).
   A table inside an element with data-portal-plain is left alone. */
(function () {
  "use strict";

  var HINT = "Scroll the table sideways to see more columns.";
  var count = 0;

  function headerLabels(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (!rows.length) return null;
    var labels = [];
    Array.prototype.forEach.call(rows[rows.length - 1].cells, function (cell) {
      var text = cell.textContent.replace(/\s+/g, " ").replace(/ \(sort\)/, "").replace(/ [▲▼]/, "").trim();
      for (var i = 0; i < (cell.colSpan || 1); i++) labels.push(text);
    });
    return labels;
  }

  function labelCells(table) {
    var labels = headerLabels(table);
    if (!labels) return false;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && labels[column] && cell.colSpan === 1) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
    return true;
  }

  function nameOf(table) {
    if (table.caption && table.caption.textContent.trim()) return table.caption.textContent.trim();
    var by = table.getAttribute("aria-labelledby");
    var named = by && document.getElementById(by.split(" ")[0]);
    if (named) return named.textContent.trim();
    var node = table;
    while (node && node !== document.body) {
      var before = node.previousElementSibling;
      while (before) {
        if (/^H[1-6]$/.test(before.tagName)) return before.textContent.trim();
        var inner = before.querySelector && before.querySelector("h1, h2, h3, h4, h5, h6");
        if (inner) return inner.textContent.trim();
        before = before.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "Table";
  }

  function frame(table) {
    var wrap = table.parentElement.classList.contains("portal-table-wrap") ? table.parentElement : null;
    var box = wrap && wrap.parentElement.classList.contains("portal-table__frame") ? wrap.parentElement.parentElement : null;
    if (box) return box;
    if (!wrap) {
      wrap = document.createElement("div");
      wrap.className = "portal-table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    box = document.createElement("div");
    box.className = "portal-table";
    var hint = document.createElement("p");
    hint.className = "portal-table__hint";
    hint.hidden = true;
    hint.id = "portal-table-hint-" + ++count;
    hint.textContent = HINT;
    var inner = document.createElement("div");
    inner.className = "portal-table__frame";
    wrap.parentNode.insertBefore(box, wrap);
    box.appendChild(hint);
    box.appendChild(inner);
    inner.appendChild(wrap);
    if (!wrap.hasAttribute("aria-label")) wrap.setAttribute("data-portal-name", nameOf(table) + " (table)");
    return box;
  }

  function enhance(table) {
    if (table.closest("[data-portal-plain]") || table.parentElement.closest("table")) return;
    var box = frame(table);
    var wrap = box.querySelector(".portal-table-wrap");
    var hint = box.querySelector(".portal-table__hint");
    if (labelCells(table)) table.classList.add("usa-table--stacked");

    function update() {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      box.classList.toggle("portal-table--scrolls", scrolls);
      box.classList.toggle("portal-table--more-left", scrolls && wrap.scrollLeft > 1);
      box.classList.toggle("portal-table--more-right", scrolls && wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1);
      hint.hidden = !scrolls;
      // A long table also scrolls down inside its frame (its header row stays in view).
      if (scrolls || wrap.scrollHeight > wrap.clientHeight + 1) {
        // A region that scrolls is reached from the keyboard (arrow keys scroll it).
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label")) wrap.setAttribute("aria-label", wrap.getAttribute("data-portal-name"));
        if (scrolls) wrap.setAttribute("aria-describedby", hint.id);
        else wrap.removeAttribute("aria-describedby");
      } else if (wrap.hasAttribute("data-portal-name")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        wrap.removeAttribute("aria-describedby");
      }
    }

    wrap.addEventListener("scroll", update, { passive: true });
    if (window.ResizeObserver) new ResizeObserver(update).observe(wrap);
    window.addEventListener("resize", update);
    update();
  }

  document.querySelectorAll("main table.usa-table").forEach(enhance);
})();
