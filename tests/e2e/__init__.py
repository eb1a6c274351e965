"""End-to-end tests: the SDK and the reference server over real loopback sockets."""
