// Starts Swagger UI on /docs from the files under /static/apidocs (no CDN, no inline script).
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("swagger-ui");
    if (!box || !window.SwaggerUIBundle) { return; }
    window.SwaggerUIBundle({
      url: box.getAttribute("data-spec"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  });
})();
