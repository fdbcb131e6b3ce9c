// /docs: the API reference with the vendored Swagger UI (no CDN, no inline script: the CSP allows
// scripts from this site only).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
