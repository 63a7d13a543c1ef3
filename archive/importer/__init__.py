"""Draft report pages from raw sources (texts and saved web pages), with a provenance record `check` can prove.

The modules are imported one by one (archive.importer.run, .verify, .decode): extraction pulls in trafilatura.
"""
