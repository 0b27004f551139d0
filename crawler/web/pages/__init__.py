"""The pages of the web application, one module each, every one exporting its `routes`."""
