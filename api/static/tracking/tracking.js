(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("tracking-data").textContent);

  function drawMap() {
    var box = document.getElementById("map");
    if (!box || typeof L === "undefined") return;
    var map = L.map(box, { zoomControl: true, attributionControl: !!data.tiles });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
    }
    var points = [];
    if (data.dest) {
      L.marker(data.dest, {
        icon: L.divIcon({ className: "", html: '<div class="dest-pin"></div>', iconSize: [18, 18] }),
        title: data.dest_label || "",
      }).addTo(map);
      points.push(data.dest);
    }
    if (data.van) {
      L.marker(data.van, {
        icon: L.divIcon({ className: "", html: '<div class="van-pin"></div>', iconSize: [22, 22] }),
        title: data.van_label || "",
      }).addTo(map);
      points.push(data.van);
    }
    if (points.length > 1) map.fitBounds(L.latLngBounds(points), { padding: [32, 32] });
    else if (points.length === 1) map.setView(points[0], 15);
    else map.setView([25.04, 121.53], 12);
  }

  drawMap();
  if (data.refresh_s > 0) {
    window.setTimeout(function () { window.location.reload(); }, data.refresh_s * 1000);
  }
})();
