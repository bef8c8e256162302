/* Days from MOA signature to operational per site, with the goal as a line. */
(function () {
  var source = document.getElementById("days-chart-data");
  var canvas = document.getElementById("days-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        {
          type: "bar", label: "Days from MOA signature to operational", data: data.days,
          backgroundColor: data.days.map(function (d) { return d > data.goal ? "#b50909" : "#005ea2"; })
        },
        {
          type: "line", label: "Goal (" + data.goal + " days)", data: data.days.map(function () { return data.goal; }),
          borderColor: "#1b1b1b", borderDash: [6, 4], pointRadius: 0, fill: false
        }
      ]
    },
    options: {
      maintainAspectRatio: false, animation: false,
      scales: { x: { ticks: { display: false }, title: { display: true, text: "Sites, oldest first" } },
                y: { beginAtZero: true, title: { display: true, text: "Days" } } }
    }
  });
})();
