"""Open311 GeoReport v2 adapter of the case hub: the service catalogue, request validation, the
JSON/XML documents and updates mapped onto the case flow. The HTTP router is :mod:`duban.web.open311`."""
