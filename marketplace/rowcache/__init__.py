"""The engine's rows kept ready between requests (issue 14): a change log written with every flush that touches
what the engine reads, and a per-process store of encoded rows refreshed from it (`store`)."""
