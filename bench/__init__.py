"""``make bench``: sdkforge and chatsdk timed against their peers in the same run."""
