"""The API's routers, one module per area; `security` holds the documented auth schemes."""
