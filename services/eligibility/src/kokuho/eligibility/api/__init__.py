"""HTTP API: routes, response schemas, the error mapping."""
