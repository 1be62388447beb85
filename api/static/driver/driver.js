(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("route-data").textContent);
  var text = JSON.parse(document.getElementById("page-text").textContent);
  var pins = {};

  function drawMap() {
    if (typeof L === "undefined") return;
    var map = L.map("map", { zoomControl: true, attributionControl: !!data.tiles });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
    }
    var line = [];
    if (data.depot) line.push(data.depot);
    data.stops.forEach(function (s) { line.push([s.lat, s.lon]); });
    if (data.end) line.push(data.end);
    if (line.length > 1) {
      L.polyline(line, { color: "#2563eb", weight: 4, opacity: 0.85, className: "route-line" }).addTo(map);
    }
    if (data.depot) {
      L.marker(data.depot, {
        icon: L.divIcon({ className: "", html: '<div class="depot-pin"></div>', iconSize: [22, 22] }),
        title: text.depot,
      }).addTo(map);
    }
    data.stops.forEach(function (s) {
      var marker = L.marker([s.lat, s.lon], {
        icon: pinIcon(s.seq, s.status),
        title: s.seq + ". " + s.name,
      }).addTo(map);
      marker.on("click", function () {
        var card = document.getElementById("stop-" + s.seq);
        if (card) card.scrollIntoView({ behavior: "smooth", block: "start" });
      });
      pins[s.id] = { marker: marker, seq: s.seq };
    });
    if (line.length) map.fitBounds(L.latLngBounds(line), { padding: [24, 24] });
    else map.setView([25.04, 121.53], 12);
  }

  function pinIcon(seq, status) {
    var cls = status === "delivered" ? " done" : status === "failed" ? " failed" : "";
    return L.divIcon({
      className: "",
      html: '<div class="route-pin' + cls + '">' + seq + "</div>",
      iconSize: [24, 24],
    });
  }

  function setStatus(card, kind) {
    card.setAttribute("data-status", kind);
    var badge = card.querySelector(".status");
    badge.textContent = text.status[kind] || "";
    var pin = pins[card.getAttribute("data-stop")];
    if (pin) pin.marker.setIcon(pinIcon(pin.seq, kind));
    var done = document.querySelectorAll('.stop[data-status="delivered"], .stop[data-status="failed"]');
    document.getElementById("done-count").textContent = String(done.length);
  }

  function report(card, kind, button) {
    var body = { stop: card.getAttribute("data-stop"), kind: kind };
    if (kind === "failed") {
      body.reason = card.querySelector("select[name=reason]").value;
      var note = card.querySelector("input[name=note]").value.trim();
      if (note) body.note = note;
    }
    var msg = card.querySelector(".msg");
    var buttons = card.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    msg.className = "msg";
    msg.textContent = text.sending;
    fetch(window.location.pathname.replace(/\/$/, "") + "/events", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (event) {
        setStatus(card, kind);
        msg.textContent = text.saved + " " + (event.time || "");
        var form = card.querySelector(".fail-form");
        if (form) form.hidden = true;
        if (button) button.blur();
      })
      .catch(function () {
        msg.className = "msg error";
        msg.textContent = text.failed_to_send;
      })
      .then(function () {
        buttons.forEach(function (b) { b.disabled = false; });
      });
  }

  function addFailForm(card) {
    var template = document.getElementById("fail-form");
    card.querySelector(".report").after(template.content.cloneNode(true));
    var form = card.querySelector(".fail-form");
    form.hidden = true;
    return form;
  }

  document.getElementById("stops").addEventListener("click", function (e) {
    var button = e.target.closest("button[data-kind]");
    if (!button) return;
    var card = button.closest(".stop");
    var kind = button.getAttribute("data-kind");
    if (kind === "failed" && !button.hasAttribute("data-send")) {
      var form = card.querySelector(".fail-form") || addFailForm(card);
      form.hidden = !form.hidden;
      button.setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) form.querySelector("select").focus();
      return;
    }
    report(card, kind, button);
  });

  drawMap();
})();
