"""Django settings for running the mlcourse blocks in the xblock-sdk workbench (development and tests)."""
