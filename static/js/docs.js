// Starts Swagger UI on /openapi.json (kept in a file: the CSP allows no inline script).
SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
