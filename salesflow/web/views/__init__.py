"""Views of the web interface, one module per page (the record page's forms in `actions`)."""
