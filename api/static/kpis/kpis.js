// The KPI page: reads /kpis (by day, region and carrier) and draws charts and tables.
// Every text shown goes in through textContent; nothing from the data becomes markup.
(function () {
  "use strict";

  var root = document.getElementById("kpis");
  var texts = JSON.parse(document.getElementById("kpi-texts").textContent);
  var message = document.getElementById("message");
  var COLUMNS = [
    "group", "orders", "delivered", "failed", "unserved", "open", "success_rate", "on_time_rate",
    "avg_delay_minutes", "p95_delay_minutes", "avg_minutes_from_departure",
    "cost_per_delivered_order", "own_share", "carrier_share", "load_utilisation",
    "time_utilisation", "cold_chain_compliance", "notices", "compensation_total"
  ];
  var RATES = {
    success_rate: 1, on_time_rate: 1, own_share: 1, carrier_share: 1, load_utilisation: 1,
    time_utilisation: 1, cold_chain_compliance: 1
  };
  var TOTALS = ["orders", "delivered", "failed", "success_rate", "on_time_rate",
    "p95_delay_minutes", "cost_per_delivered_order", "cold_chain_compliance", "notices"];
  var COLOURS = ["#2563eb", "#059669", "#dc2626", "#d97706", "#7c3aed"];

  function url(groupBy) {
    var q = new URLSearchParams({ from: root.dataset.from, to: root.dataset.to, group_by: groupBy });
    return "/kpis?" + q.toString();
  }

  function get(groupBy) {
    return fetch(url(groupBy), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function shown(key, value) {
    if (value === null || value === undefined) { return "–"; }
    if (RATES[key]) { return (value * 100).toFixed(1) + "%"; }
    if (typeof value === "number" && !Number.isInteger(value)) { return value.toFixed(1); }
    return String(value);
  }

  function table(id, rows) {
    var el = document.getElementById(id);
    el.replaceChildren();
    var head = el.createTHead().insertRow();
    COLUMNS.forEach(function (c) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = texts.columns[c];
      head.appendChild(th);
    });
    var body = el.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      COLUMNS.forEach(function (c) {
        var cell = tr.insertCell();
        cell.textContent = shown(c, row[c]);
        if (c !== "group") { cell.className = "num"; }
      });
    });
  }

  function totals(total) {
    var el = document.getElementById("totals");
    el.replaceChildren();
    TOTALS.forEach(function (c) {
      var box = document.createElement("div");
      var label = document.createElement("span");
      var value = document.createElement("b");
      label.textContent = texts.columns[c];
      value.textContent = shown(c, total[c]);
      value.dataset.kpi = c;
      box.append(label, value);
      el.appendChild(box);
    });
  }

  function percent(rows, key) {
    return rows.map(function (r) { return r[key] === null ? null : +(r[key] * 100).toFixed(2); });
  }

  function series(rows, key) {
    return rows.map(function (r) { return r[key]; });
  }

  function chart(id, type, labels, sets) {
    return new window.Chart(document.getElementById(id), {
      type: type,
      data: {
        labels: labels,
        datasets: sets.map(function (s, k) {
          return { label: s[0], data: s[1], borderColor: COLOURS[k], backgroundColor: COLOURS[k],
                   spanGaps: true };
        })
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false }
    });
  }

  function charts(days) {
    var labels = days.map(function (r) { return r.group; });
    var c = texts.columns;
    chart("chart-orders", "bar", labels, [
      [c.orders, series(days, "orders")], [c.delivered, series(days, "delivered")],
      [c.failed, series(days, "failed")]
    ]);
    chart("chart-rates", "line", labels, [
      [c.success_rate, percent(days, "success_rate")],
      [c.on_time_rate, percent(days, "on_time_rate")],
      [c.cold_chain_compliance, percent(days, "cold_chain_compliance")]
    ]);
    chart("chart-delay", "line", labels, [
      [c.avg_delay_minutes, series(days, "avg_delay_minutes")],
      [c.p95_delay_minutes, series(days, "p95_delay_minutes")]
    ]);
    chart("chart-cost", "line", labels, [
      [c.cost_per_delivered_order, series(days, "cost_per_delivered_order")]
    ]);
  }

  message.textContent = texts.loading;
  Promise.all([get("day"), get("region"), get("carrier")]).then(function (answers) {
    var days = answers[0];
    message.textContent = days.count ? "" : texts.no_data;
    totals(days.total);
    charts(days.data);
    table("table-region", answers[1].data);
    table("table-carrier", answers[2].data);
    root.dataset.state = "ready";
  }).catch(function () {
    message.textContent = texts.failed_load;
    root.dataset.state = "failed";
  });
})();
