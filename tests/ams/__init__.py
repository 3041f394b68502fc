"""HTTP-level tests of the iQmetrix AMS API (only through the Flask test client)."""
