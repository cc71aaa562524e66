"""Server-rendered web interface of Salesflow."""
