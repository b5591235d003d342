"""Tools for checking built reports as readers get them: Chromium, axe-core and poppler."""
