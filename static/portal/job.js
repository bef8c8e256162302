/* A job's page (templates/portal/job.html): polls the job's status address, updates the
   progress bar and the status line (announced by its aria-live region), and once the work
   is done opens its result page; a failure reloads the page, which shows the error. */
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root) return;
  var statusUrl = root.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var label = document.getElementById("job-status-label");
  var text = document.getElementById("job-message");
  var count = document.getElementById("job-count");
  var done = document.getElementById("job-done");
  var doneMessage = document.getElementById("job-done-message");
  var result = document.getElementById("job-result");
  var download = document.getElementById("job-download");
  var initial = root.getAttribute("data-status");
  var delay = 1000;

  function show(state) {
    if (state.total) {
      bar.max = state.total;
      bar.value = state.status === "done" ? state.total : state.done;
    } else if (state.status === "done") {
      bar.max = 100;
      bar.value = 100;
    } else {
      bar.removeAttribute("value");
    }
    bar.textContent = state.percent === null ? "" : state.percent + "%";
    label.textContent = state.status_label;
    text.textContent = state.message;
    count.textContent = state.total
      ? " (" + state.done + " of " + state.total + (state.percent === null ? "" : ", " + state.percent + "%") + ")"
      : "";
  }

  function finish(state) {
    root.setAttribute("data-status", state.status);
    if (state.status === "failed") {
      if (initial !== "failed") window.location.reload();
      return;
    }
    doneMessage.textContent = state.message;
    done.classList.remove("display-none");
    if (state.download_url) {
      download.href = state.download_url;
      download.classList.remove("display-none");
    }
    if (state.result_url) {
      result.href = state.result_url;
      result.classList.remove("display-none");
      text.textContent = state.message + " Opening the result…";
      window.setTimeout(function () {
        window.location.assign(state.result_url);
      }, 600);
    }
  }

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          finish(state);
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  if (initial === "failed") return;
  window.setTimeout(poll, 300);
})();
