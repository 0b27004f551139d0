"""Text utilities shared by extraction and linking: normalisation, language detection (fingerprints later)."""
