"""Open311 GeoReport v2 adapter of the case hub: catalogue, validation, JSON/XML, the API router."""
