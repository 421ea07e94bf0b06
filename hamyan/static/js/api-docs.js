// Swagger UI over our generated OpenAPI document; a file, not inline, so the CSP can stay 'self'.
window.addEventListener("load", function () {
  window.SwaggerUIBundle({ url: document.getElementById("swagger-ui").dataset.spec, dom_id: "#swagger-ui" });
});
