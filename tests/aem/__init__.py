"""HTTP-level tests of the AEM Assets HTTP API (only through the Flask test client)."""
