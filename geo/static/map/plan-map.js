/* Draws the map described by the JSON in #map-data with Leaflet.
   Every text of the map is set with textContent; nothing is parsed as markup. */
(function () {
  "use strict";

  var LINK = /^https?:\/\//;
  var NARROW = "(max-width: 640px)";

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null && text !== "") el.textContent = String(text);
    return el;
  }

  function textOf(value) {
    return function () {
      return node("span", "map-tooltip", value);
    };
  }

  function popupOf(popup) {
    return function () {
      var box = node("div", "plan-popup");
      box.appendChild(node("b", "popup-title", popup.title));
      if (popup.subtitle) box.appendChild(node("small", "popup-subtitle", popup.subtitle));
      if (popup.rows.length) {
        var table = node("table");
        var body = node("tbody");
        popup.rows.forEach(function (row) {
          var tr = node("tr", row.kind ? "row-" + row.kind : "");
          tr.appendChild(node("td", "popup-label", row.label));
          tr.appendChild(node("td", "popup-value", row.value));
          body.appendChild(tr);
        });
        table.appendChild(body);
        box.appendChild(table);
      }
      return box;
    };
  }

  function decorate(shape, item, maxWidth) {
    if (item.tooltip) shape.bindTooltip(textOf(item.tooltip), { sticky: !item.at });
    if (item.popup) shape.bindPopup(popupOf(item.popup), { maxWidth: maxWidth });
    return shape;
  }

  var keyed = {};

  function marker(m) {
    var pin = node("div", "pin pin-" + m.kind, m.label);
    pin.style.backgroundColor = m.colour;
    var size = m.kind === "stop" || m.kind === "vehicle" ? 26 : 24;
    var icon = L.divIcon({
      className: "map-marker " + m.kind + "-marker",
      html: pin,
      iconSize: [size, size],
      iconAnchor: m.kind === "vehicle" ? [size / 2, size + 6] : [size / 2, size / 2],
      popupAnchor: [0, -size / 2],
      tooltipAnchor: [size / 2, 0],
    });
    var shape = decorate(L.marker(m.at, { icon: icon, keyboard: true }), m, 320);
    if (m.key) {
      pin.setAttribute("data-key", m.key);
      keyed[m.key] = { pin: pin, colour: m.colour, state: "", shape: shape };
    }
    return shape;
  }

  function polyline(line) {
    var shape = L.polyline(line.points, {
      color: line.colour,
      weight: line.weight,
      opacity: 0.85,
      className: "route-line",
    });
    return decorate(shape, line, 320);
  }

  function polygon(area) {
    var shape = L.polygon(area.parts, {
      pane: "areas",
      color: area.colour,
      weight: area.dashed ? 1 : 2,
      dashArray: area.dashed ? "4 4" : null,
      fillColor: area.colour,
      fillOpacity: area.fill_opacity,
      className: "region-area",
    });
    return decorate(shape, area, 300);
  }

  // A box that folds behind its button on a narrow screen (folded at first there).
  function foldable(box, label) {
    var button = node("button", "fold-toggle", label);
    button.type = "button";
    function set(folded) {
      box.classList.toggle("folded", folded);
      button.setAttribute("aria-expanded", String(!folded));
    }
    button.addEventListener("click", function () {
      set(!box.classList.contains("folded"));
    });
    box.insertBefore(button, box.firstChild);
    set(!!(window.matchMedia && window.matchMedia(NARROW).matches));
  }

  function swatch(colour) {
    var el = node("span", "swatch");
    el.style.backgroundColor = colour;
    return el;
  }

  var LayerSwitch = L.Control.extend({
    options: { position: "topright" },
    initialize: function (entries) {
      this._entries = entries;
    },
    onAdd: function (map) {
      var box = node("div", "leaflet-control-layers leaflet-control-layers-expanded plan-layers");
      var list = node("section", "leaflet-control-layers-list");
      var overlays = node("div", "leaflet-control-layers-overlays");
      this._entries.forEach(function (entry) {
        var label = node("label");
        var row = node("span");
        var input = node("input", "leaflet-control-layers-selector");
        input.type = "checkbox";
        input.checked = map.hasLayer(entry.group);
        input.addEventListener("change", function () {
          if (input.checked) map.addLayer(entry.group);
          else map.removeLayer(entry.group);
        });
        var name = node("span", "layer-name");
        if (entry.colour) name.appendChild(swatch(entry.colour));
        name.appendChild(document.createTextNode(entry.name));
        row.appendChild(input);
        row.appendChild(name);
        label.appendChild(row);
        overlays.appendChild(label);
      });
      list.appendChild(overlays);
      box.appendChild(list);
      foldable(box, "圖層 Layers");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });

  var TextBox = L.Control.extend({
    initialize: function (className, build, options) {
      this._className = className;
      this._build = build;
      L.setOptions(this, options);
    },
    onAdd: function () {
      var box = node("div", this._className);
      this._build(box);
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });

  function link(href, text) {
    var a = node("a", "", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function draw(data) {
    var map = L.map("map", { attributionControl: false, zoomControl: true });
    map.createPane("areas");
    map.getPane("areas").style.zIndex = "350";
    var tiles = data.tiles;
    if (tiles && tiles.url) {
      L.tileLayer(tiles.url, { maxZoom: 19 }).addTo(map);
      new TextBox("leaflet-control-attribution", function (box) {
        box.appendChild(link("https://leafletjs.com", "Leaflet"));
        box.appendChild(document.createTextNode(" | "));
        if (tiles.link && LINK.test(tiles.link)) box.appendChild(link(tiles.link, tiles.attribution || tiles.link));
        else box.appendChild(document.createTextNode(tiles.attribution || ""));
      }, { position: "bottomright" }).addTo(map);
    }
    var entries = data.layers.map(function (layer) {
      var group = L.featureGroup();
      layer.polygons.forEach(function (area) { group.addLayer(polygon(area)); });
      layer.lines.forEach(function (line) { group.addLayer(polyline(line)); });
      layer.markers.forEach(function (m) { group.addLayer(marker(m)); });
      if (layer.shown) group.addTo(map);
      return { group: group, name: layer.name, colour: layer.colour };
    });
    if (entries.length) new LayerSwitch(entries).addTo(map);
    L.control.scale({ position: "bottomleft" }).addTo(map);
    var summaryBox = null;
    if (data.summary || data.live) {
      new TextBox("plan-summary", function (box) {
        summaryBox = node("span", "summary-text", data.summary || "");
        box.appendChild(summaryBox);
        foldable(box, "摘要 Summary");
      }, { position: "bottomleft" }).addTo(map);
    }
    if (data.bounds) map.fitBounds(data.bounds, { padding: [20, 20], maxZoom: 17 });
    else map.setView(data.center, 12);
    if (data.live) follow(map, data.live, data.summary || "", function () { return summaryBox; });
    return map;
  }

  /* Live updates: the feed restyles keyed markers by state and redraws the vehicles. */
  function restyle(item) {
    var entry = keyed[item.key];
    if (!entry) return;
    entry.pin.style.backgroundColor = item.colour || entry.colour;
    if (entry.state) entry.pin.classList.remove("state-" + entry.state);
    entry.state = /^[a-z][a-z0-9_-]{0,30}$/.test(item.state || "") ? item.state : "";
    if (entry.state) entry.pin.classList.add("state-" + entry.state);
    if (item.tooltip && entry.shape.getTooltip()) entry.shape.setTooltipContent(textOf(item.tooltip));
  }

  function follow(map, live, baseSummary, summaryBox) {
    var vehicles = L.featureGroup().addTo(map);
    function apply(feed) {
      (feed.markers || []).forEach(restyle);
      vehicles.clearLayers();
      (feed.vehicles || []).forEach(function (v) {
        vehicles.addLayer(marker({ at: v.at, kind: "vehicle", colour: v.colour || "#1f2937",
                                   label: v.label, tooltip: v.tooltip, key: "" }));
      });
      var box = summaryBox();
      if (box) box.textContent = [baseSummary, feed.summary].filter(Boolean).join(" · ");
      document.body.setAttribute("data-live-as-of", String(feed.as_of || ""));
    }
    function refresh() {
      fetch(live.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (feed) { if (feed) apply(feed); })
        .catch(function () { /* the next round tries again */ });
    }
    refresh();
    window.setInterval(refresh, live.every_s * 1000);
  }

  var data = JSON.parse(document.getElementById("map-data").textContent);
  if (data.title) document.title = data.title;
  window.planMap = draw(data);
})();
