"""HTTP routes, one module per area: auth, sync (feed, push, records), admin."""
