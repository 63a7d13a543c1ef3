"""Static site generator for an annotated archive of Chinese county reports."""
