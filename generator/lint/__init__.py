"""``sdkforge lint``: the conventions that keep schemas reviewable."""
