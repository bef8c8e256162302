/* The program's timeline: agreements in force by 287(g) model (stacked bars) with the
   agreements signed each month (line), and program managers required against assigned. */
(function () {
  var source = document.getElementById("timeline-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = ["#005ea2", "#00a398", "#e5a000"];
  var growth = document.getElementById("timeline-chart");
  if (growth) {
    var datasets = Object.keys(data.in_force).map(function (label, i) {
      return { type: "bar", label: "In force: " + label, data: data.in_force[label], backgroundColor: colours[i % 3],
               stack: "in_force" };
    });
    datasets.push({ type: "line", label: "Signed in the month", data: data.signed, borderColor: "#1b1b1b",
                    pointRadius: 0, fill: false, yAxisID: "y" });
    new Chart(growth, {
      data: { labels: data.labels, datasets: datasets },
      options: { maintainAspectRatio: false, animation: false,
                 scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
                           title: { display: true, text: "Agreements" } } } }
    });
  }
  var staffing = document.getElementById("staffing-chart");
  if (staffing) {
    new Chart(staffing, {
      type: "line",
      data: { labels: data.labels, datasets: [
        { label: "Program managers required", data: data.pms_required, borderColor: "#b50909", pointRadius: 0, fill: false },
        { label: "Program managers assigned", data: data.pms_assigned, borderColor: "#005ea2", pointRadius: 0, fill: false }
      ] },
      options: { maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, title: { display: true, text: "Program managers" } } } }
    });
  }
})();
