"use strict";
// Starts ReDoc on the service's own OpenAPI document; the page holds no inline script.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("redoc");
  Redoc.init(root.dataset.openapi, { hideLoading: true, hideDownloadButton: false }, root);
});
