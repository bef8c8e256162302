/* The national dashboard's charts: agreements signed per month, and open findings per sweep run.
   The figures come from the page (json_script); the same figures are in tables beside the charts. */
(function () {
  var source = document.getElementById("dashboard-chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  if (!data) return;
  var signed = document.getElementById("signed-chart");
  if (signed) {
    new Chart(signed, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: "Agreements signed", data: data.signed, backgroundColor: "#005ea2" }] },
      options: { maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Agreements" } } } }
    });
  }
  var trend = document.getElementById("trend-chart");
  if (trend && data.trend_labels.length) {
    new Chart(trend, {
      type: "line",
      data: { labels: data.trend_labels, datasets: [{ label: "Open findings", data: data.trend, borderColor: "#b50909", fill: false }] },
      options: { maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
})();
