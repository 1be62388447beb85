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
    var cls = status === "delivered" || status === "partly_delivered" ? " done" : status === "failed" ? " failed" : "";
    return L.divIcon({
      className: "",
      html: '<div class="route-pin' + cls + '">' + seq + "</div>",
      iconSize: [24, 24],
    });
  }

  var endpoint = window.location.pathname.replace(/\/$/, "") + "/events";
  var queueKey = "dispatch.events." + window.location.pathname;
  var retryDelay = 0;
  var retryTimer = null;
  var sending = false;

  function setStatus(card, kind) {
    card.setAttribute("data-status", kind);
    var badge = card.querySelector(".status");
    badge.textContent = text.status[kind] || "";
    var pin = pins[card.getAttribute("data-stop")];
    if (pin) pin.marker.setIcon(pinIcon(pin.seq, kind));
    var done = document.querySelectorAll(
      '.stop[data-status="delivered"], .stop[data-status="partly_delivered"], .stop[data-status="failed"]'
    );
    document.getElementById("done-count").textContent = String(done.length);
  }

  // The offline queue: every report gets its id and time on the phone, waits in
  // localStorage, and is sent in order when the network is there; the service stores
  // an id once, so a report sent twice (a lost answer, a retry) counts once.

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function loadQueue() {
    try {
      var queue = JSON.parse(window.localStorage.getItem(queueKey) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (e) {
      return [];
    }
  }

  function saveQueue(queue) {
    try {
      window.localStorage.setItem(queueKey, JSON.stringify(queue));
    } catch (e) {
      // storage full: the reports stay in memory until sent
    }
    memoryQueue = queue;
    showQueued(queue.length);
  }

  var memoryQueue = loadQueue();

  function showQueued(count) {
    var box = document.getElementById("queued");
    document.getElementById("queued-count").textContent = String(count);
    box.hidden = count === 0;
    document.body.setAttribute("data-queued", String(count));
  }

  function cardOf(stop) {
    return stop ? document.querySelector('.stop[data-stop="' + CSS.escape(stop) + '"]') : null;
  }

  function enqueue(body) {
    body.event_id = newId();
    body.at = new Date().toISOString();
    var queue = memoryQueue.concat([body]);
    saveQueue(queue);
    retryDelay = 0;
    flush();
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 1000, 60000);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, retryDelay);
  }

  function settled(body, ok, detail) {
    var queue = memoryQueue.filter(function (e) { return e.event_id !== body.event_id; });
    saveQueue(queue);
    var card = cardOf(body.stop);
    if (body.kind === "departed") {
      var depart = document.getElementById("depart");
      if (ok) {
        depart.setAttribute("data-done", "1");
        depart.textContent = text.departed_at + " " + (detail.time || "");
      }
      return;
    }
    if (!card) return;
    card.removeAttribute("data-pending");
    var msg = card.querySelector(".msg");
    if (ok) {
      msg.className = "msg";
      msg.textContent = text.saved + " " + (detail.time || "");
    } else {
      msg.className = "msg error";
      msg.textContent = text.refused + detail;
    }
  }

  function flush() {
    if (sending) return;
    var queue = memoryQueue;
    if (!queue.length) return;
    if (navigator.onLine === false) {
      scheduleRetry();
      return;
    }
    var body = queue[0];
    sending = true;
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    })
      .then(function (response) {
        if (response.ok) {
          return response.json().then(function (event) { settled(body, true, event); return true; });
        }
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          return response.json().catch(function () { return {}; }).then(function (problem) {
            var errors = (problem.errors || []).map(function (e) { return e.text || e.message; });
            settled(body, false, errors.join("; ") || String(response.status));
            return true;
          });
        }
        return false;
      })
      .catch(function () { return false; })
      .then(function (done) {
        sending = false;
        if (done) {
          retryDelay = 0;
          flush();
        } else {
          scheduleRetry();
        }
      });
  }

  function checkedOrders(card) {
    var boxes = card.querySelectorAll("input[name=order]");
    var ticked = [];
    boxes.forEach(function (b) { if (b.checked) ticked.push(b.value); });
    return { ticked: ticked, all: ticked.length === boxes.length };
  }

  function readPhoto(input) {
    var file = input && input.files && input.files[0];
    if (!file) return Promise.resolve(null);
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () {
          var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(img.width * scale);
          canvas.height = Math.round(img.height * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/jpeg", 0.7));
        };
        img.onerror = function () { resolve(null); };
        img.src = reader.result;
      };
      reader.onerror = function () { resolve(null); };
      reader.readAsDataURL(file);
    });
  }

  function report(card, kind) {
    var body = { stop: card.getAttribute("data-stop"), kind: kind };
    var msg = card.querySelector(".msg");
    if (kind === "delivered" || kind === "failed") {
      var orders = checkedOrders(card);
      if (!orders.ticked.length) {
        msg.className = "msg error";
        msg.textContent = text.no_orders;
        return;
      }
      if (!orders.all) body.orders = orders.ticked;
    }
    if (kind === "failed") {
      body.reason = card.querySelector("select[name=reason]").value;
      var note = card.querySelector("input[name=note]").value.trim();
      if (note) body.note = note;
    }
    var shown = kind;
    if (kind === "delivered") {
      var recipient = card.querySelector("input[name=recipient]").value.trim();
      if (recipient) body.recipient = recipient;
      if (body.orders) shown = "partly_delivered";
    }
    if (card.getAttribute("data-status") === shown && kind !== "failed") return;
    setStatus(card, shown);
    card.setAttribute("data-pending", "1");
    msg.className = "msg";
    msg.textContent = navigator.onLine === false ? text.queued : text.sending;
    var form = card.querySelector(".fail-form");
    if (form) form.hidden = true;
    var photo = kind === "delivered" ? card.querySelector("input[name=photo]") : null;
    readPhoto(photo).then(function (data) {
      if (data) body.photo = data;
      enqueue(body);
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
    report(card, kind);
    button.blur();
  });

  document.getElementById("depart").addEventListener("click", function (e) {
    var button = e.currentTarget;
    if (button.hasAttribute("data-done")) return;
    button.setAttribute("data-done", "1");
    button.textContent = text.departed_at;
    enqueue({ kind: "departed" });
  });

  window.addEventListener("online", function () {
    retryDelay = 0;
    if (retryTimer) {
      window.clearTimeout(retryTimer);
      retryTimer = null;
    }
    flush();
  });
  memoryQueue.forEach(function (body) {
    var card = cardOf(body.stop);
    if (card) {
      setStatus(card, body.orders && body.kind === "delivered" ? "partly_delivered" : body.kind);
      card.setAttribute("data-pending", "1");
    }
  });
  showQueued(memoryQueue.length);
  flush();

  drawMap();
})();
